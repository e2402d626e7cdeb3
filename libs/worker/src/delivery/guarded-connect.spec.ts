import type { LookupAddress } from 'node:dns';

/** A DNS that answers whatever the test says now: a rebinding attacker's. */
let answers: LookupAddress[] = [];
jest.mock('node:dns', () => ({
  lookup: (_host: string, _options: object, callback: (error: Error | null, addresses: LookupAddress[]) => void) => callback(null, answers),
}));

import { BlockedAddressError, guardedConnector, guardedLookup } from './guarded-connect';

function resolveWith(all: boolean): Promise<{ error: Error | null; address: unknown; family?: number }> {
  return new Promise((resolve) => guardedLookup('rebind.example', { all }, (error, address, family) => resolve({ error, address, family })));
}

describe('guardedLookup (connect time)', () => {
  it('passes public addresses in the shape net asks for', async () => {
    answers = [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    expect(await resolveWith(true)).toEqual({ error: null, address: answers, family: undefined });
    expect(await resolveWith(false)).toEqual({ error: null, address: '93.184.215.14', family: 4 });
  });

  it('refuses a name that now resolves to a private address (DNS rebinding), even among public ones', async () => {
    for (const rebound of [
      [{ address: '127.0.0.1', family: 4 }],
      [
        { address: '93.184.215.14', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
      [{ address: 'fd00::1', family: 6 }],
    ]) {
      answers = rebound;
      for (const all of [true, false]) {
        const { error } = await resolveWith(all);
        expect(error).toBeInstanceOf(BlockedAddressError);
        expect(error?.message).toMatch(/^blocked private address \S+ \(rebind\.example\)/);
      }
    }
  });
});

describe('guardedConnector', () => {
  it.each(['127.0.0.1', '[::1]', '169.254.169.254', '[::ffff:7f00:1]'])('refuses the literal %s without connecting', async (hostname) => {
    const connect = guardedConnector({ timeout: 1_000 });
    const error = await new Promise<Error | null>((resolve) => connect({ hostname, protocol: 'http:', port: '80' }, (...[failure]) => resolve(failure)));
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error?.message).toContain('blocked private address');
  });
});
