import { createHmac } from 'node:crypto';
import { WebhookRejection } from '@kyc/core';
import { inboundWebhook } from '@kyc/testing';
import { type BodyHmacSignature, type HmacAlgorithm, verifyBodyHmac } from './body-hmac';

const BODY = '{"id":"value"}';
const KEY = Buffer.from('a_webhook_signature', 'utf8');
const digest = (algorithm: HmacAlgorithm, key = KEY, body = BODY) => createHmac(algorithm, key).update(body).digest();

function refusal(value: string | undefined, signature: BodyHmacSignature<unknown> = { header: 'x-sig' }, algorithm: HmacAlgorithm = 'sha256', keys = [KEY]) {
  try {
    verifyBodyHmac(inboundWebhook(BODY, { 'x-sig': value }), signature, algorithm, keys);
    return undefined;
  } catch (error) {
    return error as WebhookRejection;
  }
}

describe('HMAC of the raw body in a header', () => {
  it("matches ComplyCube's published vector", () => {
    expect(refusal('bc00414fa4d54277a3ed01e5ee258d9800a918a7791c7cda16d38b82f38f2150')).toBeUndefined();
  });

  it('takes each algorithm at its own digest length, and a prefix where the scheme has one', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) expect(refusal(digest(algorithm).toString('hex'), undefined, algorithm)).toBeUndefined();
    expect(refusal(digest('sha1').toString('hex'), undefined, 'sha256')).toMatchObject({ reason: 'invalid_signature' });
    const prefixed: BodyHmacSignature<unknown> = { header: 'x-sig', prefix: 'sha256=', encodings: ['hex', 'base64'] };
    expect(refusal(`SHA256=${digest('sha256').toString('hex')}`, prefixed)).toBeUndefined();
    expect(refusal(digest('sha256').toString('base64'), prefixed)).toBeUndefined();
    expect(refusal(digest('sha256').toString('base64'))).toMatchObject({ reason: 'invalid_signature' });
  });

  it('tries every key (a secret with two readings) and refuses when none matches', () => {
    expect(refusal(digest('sha256').toString('hex'), undefined, 'sha256', [Buffer.from('other'), KEY])).toBeUndefined();
    expect(refusal(digest('sha256').toString('hex'), undefined, 'sha256', [Buffer.from('other')])).toMatchObject({ reason: 'invalid_signature' });
    expect(refusal(digest('sha256').toString('hex'), undefined, 'sha256', [])).toMatchObject({ reason: 'invalid_signature' });
  });

  it('answers a missing or malformed header with a 401 rejection, never another error', () => {
    expect(refusal(undefined)).toMatchObject({ status: 401, reason: 'missing_signature' });
    for (const value of ['  ', 'zz', digest('sha256').toString('hex').slice(1), `${digest('sha256').toString('hex')}0`, 'é'.repeat(64)]) {
      const refused = refusal(value);
      expect(refused).toBeInstanceOf(WebhookRejection);
      expect(refused!.status).toBe(401);
    }
  });
});
