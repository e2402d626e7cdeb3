import { isPrivateAddress, isPrivateHost } from './network';

/** The hostname a subscriber URL gives, as the admin API and the delivery see it (WHATWG URL). */
const hostOf = (url: string) => new URL(url).hostname;

describe('isPrivateAddress', () => {
  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.100.100.200',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.0.1',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.192',
    '192.0.2.1',
    '192.168.1.10',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
  ])('IPv4 %s is private', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '169.253.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '192.167.1.1',
    '192.169.0.1',
    '223.255.255.255',
  ])('IPv4 %s is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it.each([
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    'fc00::1',
    'fd00::1',
    'fd00:ec2::254',
    'fdff:ffff::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fec0::1',
    'ff02::1',
    '2001:db8::1',
    '100::1',
    '::7f00:1',
    '::127.0.0.1',
  ])('IPv6 %s is private', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450::1', 'fbff::1', 'fe00::1'])('IPv6 %s is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it.each([
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['0:0:0:0:0:ffff:a9fe:a9fe', true], // 169.254.169.254
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::127.0.0.1', true], // NAT64
    ['64:ff9b::808:808', false],
    ['2002:7f00:1::', true], // 6to4 of 127.0.0.1
    ['2002:c0a8:101::1', true], // 6to4 of 192.168.1.1
    ['2002:808:808::1', false],
  ])('an IPv6 address embedding IPv4 (%s) is judged by the IPv4 address: %s', (ip, expected) => expect(isPrivateAddress(ip)).toBe(expected));

  it.each([
    '192.88.99.1', // 6to4 relay anycast
    '64:ff9b:1::a00:1',
    '64:ff9b:1::808:808',
    '64:ff9b:1:ffff::1', // local-use NAT64, whatever it embeds
    '2001::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001:0:ffff::1', // Teredo
    '2001:2::1',
    '2001:10::1', // IETF protocol assignments (benchmarking, ORCHID)
    '::ffff:0:7f00:1',
    '::ffff:0:808:808',
    '0:0:0:0:ffff:0:a9fe:a9fe',
    '::ffff:0:127.0.0.1', // IPv4-translated (SIIT)
    '3fff::1',
    '5f00::1',
  ])('%s (a tunnel, translator or special-purpose block) is private', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['192.88.98.255', '192.88.100.1', '64:ff9b:2::1', '2001:200::1', '2001:4860::1'])('%s next to those blocks is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('accepts bracketed IPv6 and refuses to judge what is not an address', () => {
    expect(isPrivateAddress('[::1]')).toBe(true);
    for (const notAnAddress of ['', 'localhost', 'example.com', '127.0.0.1.nip.io', '1.2.3', '::g']) expect(isPrivateAddress(notAnAddress)).toBe(false);
  });
});

describe('isPrivateHost (URL hostnames)', () => {
  it.each([
    // Every IPv4 spelling the URL parser folds to a loopback or metadata address.
    'http://127.1/',
    'http://0x7f.0.0.1/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://2130706433/',
    'http://017700000001/',
    'http://0/',
    'http://0.0.0.0:8080/',
    'http://169.254.169.254/latest/meta-data',
    'http://0xa9fea9fe/',
    'http://2852039166/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://localhost:3000/',
    'http://LOCALHOST./',
    'http://api.localhost/',
    'http://[fd00:ec2::254]/',
    'http://[::ffff:0:7f00:1]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
    'http://[64:ff9b:1::a9fe:a9fe]/',
    'http://192.88.99.1/',
  ])('%s is private', (url) => expect(isPrivateHost(hostOf(url))).toBe(true));

  it.each(['https://crm.example.com/kyc', 'https://8.8.8.8/', 'http://[2606:4700:4700::1111]/', 'https://localhost.example.com/', 'https://127.0.0.1.nip.io/'])(
    '%s is not (names are resolved later)',
    (url) => expect(isPrivateHost(hostOf(url))).toBe(false),
  );
});
