import { randomBytes, randomInt } from 'node:crypto';

/**
 * For tests that hold an adapter to an oracle (an official SDK, a reference verifier): a valid hex
 * signature of `body` under `secret` and the ways a real one goes wrong: its case, its last digit,
 * cut short, random digests of the right and of other lengths, another secret, another body.
 * The first two are valid (hex of either case); the rest are not.
 */
export function hexSignatureVariants(sign: (body: string, secret: string) => string, body: string, secret: string): string[] {
  const good = sign(body, secret);
  return [
    good,
    good.toUpperCase(),
    good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'),
    good.slice(0, randomInt(0, good.length)),
    randomBytes(good.length / 2).toString('hex'),
    randomBytes(randomInt(1, 40)).toString('hex'),
    sign(body, `${secret}x`),
    sign(`${body} `, secret),
  ];
}
