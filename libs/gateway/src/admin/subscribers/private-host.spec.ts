import { isRefusedHost } from './private-host';

/** A fake DNS: name → addresses; an unknown name fails like ENOTFOUND. */
const dns = (answers: Record<string, string[]>) => async (host: string) => {
  const addresses = answers[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses;
};

describe('isRefusedHost (subscriber creation)', () => {
  const resolve = dns({
    'public.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'rebind.example': ['127.0.0.1'],
    'metadata.example': ['169.254.169.254'],
    'ula.example': ['fd00::5'],
    'mixed.example': ['93.184.215.14', '10.0.0.7'],
    'mapped.example': ['::ffff:192.168.0.1'],
  });

  it.each([
    ['public.example', false],
    ['rebind.example', true],
    ['metadata.example', true],
    ['ula.example', true],
    // Delivery refuses to connect when any address is private, so creation refuses it too.
    ['mixed.example', true],
    ['mapped.example', true],
    // Cannot be judged now (no such name yet, DNS down): the connect-time check decides.
    ['unknown.example', false],
    ['localhost', true],
    ['127.0.0.1', true],
    ['[::1]', true],
    ['8.8.8.8', false],
    ['[2606:4700:4700::1111]', false],
  ])('%s refused: %s', async (host, refused) => {
    await expect(isRefusedHost(host, resolve)).resolves.toBe(refused);
  });

  it('does not resolve IP literals', async () => {
    const resolveSpy = jest.fn(resolve);
    await isRefusedHost('8.8.8.8', resolveSpy);
    await isRefusedHost('[2606:4700:4700::1111]', resolveSpy);
    expect(resolveSpy).not.toHaveBeenCalled();
  });
});
