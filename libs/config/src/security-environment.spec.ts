import { ConfigurationError, trustedProxies, validateEnvironment } from './environment';

/** The variables of the security review: metrics and docs access, the queue dashboard, proxies. */
describe('security settings of the environment', () => {
  it('defaults to the closed side: board read-only, worker metrics on loopback, no proxy believed, no token', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({ QUEUE_BOARD_READ_ONLY: true, METRICS_HOST: '127.0.0.1' });
    expect(env.TRUST_PROXY).toBeUndefined();
    expect(env.METRICS_TOKEN).toBeUndefined();
  });

  it('takes what an operator opens', () => {
    const env = validateEnvironment({ QUEUE_BOARD_READ_ONLY: 'false', METRICS_HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.1, 172.16.0.0/12', METRICS_TOKEN: 'm'.repeat(32) });
    expect(env).toMatchObject({ QUEUE_BOARD_READ_ONLY: false, METRICS_HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.1, 172.16.0.0/12', METRICS_TOKEN: 'm'.repeat(32) });
    expect(trustedProxies(env.TRUST_PROXY!)).toEqual(['10.0.0.1', '172.16.0.0/12']);
  });

  it.each([
    ['METRICS_TOKEN', 'short-token'],
    ['TRUST_PROXY', '*'],
    ['TRUST_PROXY', '10.0.0.1/8/8'],
    ['TRUST_PROXY', 'fd00::/129'],
    ['METRICS_HOST', 'gateway//x'],
    ['QUEUE_BOARD_READ_ONLY', 'maybe'],
  ])('refuses %s=%s, naming the variable and not the value', (name, value) => {
    let error: unknown;
    try {
      validateEnvironment({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems.join('\n')).toContain(name);
    expect((error as ConfigurationError).message).not.toContain(value);
  });

  it('reads TRUST_PROXY as Express takes it: addresses, CIDRs and its three names', () => {
    expect(trustedProxies('loopback,linklocal , uniquelocal')).toEqual(['loopback', 'linklocal', 'uniquelocal']);
    expect(trustedProxies('::1, 2001:db8::/32, 192.168.0.1/32')).toEqual(['::1', '2001:db8::/32', '192.168.0.1/32']);
    for (const bad of ['', ',', 'localhost', '10.0.0.0/', '10.0.0.0/x', '300.0.0.1', 'true']) expect({ bad, list: trustedProxies(bad) }).toEqual({ bad, list: undefined });
  });
});
