import { BlockList, isIP } from 'node:net';

/**
 * Addresses an HTTP subscriber must not reach (SSRF): "this network", private, carrier-grade NAT
 * (Alibaba's metadata 100.100.100.200), loopback, link-local (cloud metadata 169.254.169.254),
 * IETF/benchmark/documentation, multicast and reserved ranges.
 */
const IPV4_RANGES: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  // 6to4 relay anycast (RFC 7526): forwards into whatever IPv6 network the relay sits on.
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/**
 * IPv6: unspecified and loopback, the IPv4-compatible block, discard, documentation, unique local
 * (fc00::/7, e.g. AWS's metadata fd00:ec2::254), site- and link-local, multicast. Blocks that embed
 * an IPv4 address (mapped, well-known NAT64, 6to4) are judged by that address instead, below.
 * Refused whole, whatever they embed: the IPv4-translated block (SIIT), local-use NAT64 (its
 * translator may reach any private network) and the IETF protocol block with Teredo (2001::/32),
 * whose tunnel endpoints sit on networks of their own.
 */
const IPV6_RANGES: Array<[string, number]> = [
  ['::', 96],
  ['::ffff:0:0:0', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const V4 = new BlockList();
for (const [network, prefix] of IPV4_RANGES) V4.addSubnet(network, prefix, 'ipv4');
const V6 = new BlockList();
for (const [network, prefix] of IPV6_RANGES) V6.addSubnet(network, prefix, 'ipv6');

/**
 * True when `ip` (an IPv4 or IPv6 address, without brackets; an IPv6 zone is ignored) is one an
 * HTTP subscriber may not use. Anything that is not an IP address is false: names are resolved
 * first, and their addresses judged here.
 */
export function isPrivateAddress(ip: string): boolean {
  const address = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  switch (isIP(address)) {
    case 4:
      return V4.check(address, 'ipv4');
    case 6: {
      const embedded = embeddedIpv4(address);
      if (embedded !== undefined) return V4.check(embedded, 'ipv4');
      return V6.check(address, 'ipv6');
    }
    default:
      return false;
  }
}

/**
 * True for `localhost` and `*.localhost` (RFC 6761: always loopback) and for private IP literals.
 * `hostname` is WHATWG `URL.hostname`, which already rewrites `127.1`, `0x7f.0.0.1`, `0177.0.0.1`
 * and `2130706433` to `127.0.0.1` and `[::ffff:127.0.0.1]` to `[::ffff:7f00:1]`. Other names
 * need resolving (see isPrivateAddress).
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isPrivateAddress(host);
}

/** The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address);
  if (!words) return undefined;
  const isZero = (from: number, to: number) => words.slice(from, to).every((word) => word === 0);
  let high: number;
  let low: number;
  if (isZero(0, 5) && words[5] === 0xffff) [high, low] = [words[6], words[7]];
  else if (words[0] === 0x64 && words[1] === 0xff9b && isZero(2, 6)) [high, low] = [words[6], words[7]];
  else if (words[0] === 0x2002) [high, low] = [words[1], words[2]];
  else return undefined;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Eight 16-bit words of a valid IPv6 address (`::` and a trailing dotted IPv4 expanded). */
function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((word) => parseInt(word, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const words = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.length === 8 && words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff) ? words : undefined;
}
