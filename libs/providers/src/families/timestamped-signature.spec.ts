import { createHmac } from 'node:crypto';
import { WebhookRejection } from '@kyc/core';
import { inboundWebhook } from '@kyc/testing';
import { parseSignatureSets, verifyTimestampedSignature } from './timestamped-signature';

const SECRET = 'whsec_test_secret';
const KEY = Buffer.from(SECRET, 'utf8');
const NOW = new Date('2026-01-01T12:00:00Z');
const T = NOW.getTime() / 1000;
const BODY = '{"id":"evt_1","type":"identity.verification_session.verified"}';
const v1 = (t: number, secret = SECRET, body = BODY) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

function refusal(header: string | undefined, tolerance = 300, receivedAt = NOW): WebhookRejection | undefined {
  try {
    verifyTimestampedSignature(inboundWebhook(BODY, { 'x-signature': header }, receivedAt), 'x-signature', KEY, tolerance);
    return undefined;
  } catch (error) {
    return error as WebhookRejection;
  }
}

describe('t=...,v1=... signatures', () => {
  it('accepts a matching v1 among several (rolling secrets) and either of two sets (a rotation)', () => {
    expect(refusal(`t=${T},v1=${v1(T)}`)).toBeUndefined();
    expect(refusal(`t=${T},v1=${v1(T, 'old')},v1=${v1(T)},v0=abc`)).toBeUndefined();
    expect(refusal(`t=${T},v1=${v1(T, 'old')} t=${T},v1=${v1(T)}`)).toBeUndefined();
  });

  it('refuses a missing header, a header without a usable set, and a signature of another secret or body (401)', () => {
    expect(refusal(undefined)).toMatchObject({ status: 401, reason: 'missing_signature' });
    for (const header of ['', 't=1', `v1=${v1(T)}`, `t=abc,v1=${v1(T)}`, `t=${T},v1=zz`, `t=${T},v1=${v1(T).slice(2)}`]) {
      expect({ header, reason: refusal(header)?.reason }).toEqual({ header, reason: header === '' ? 'missing_signature' : 'invalid_signature' });
    }
    expect(refusal(`t=${T},v1=${v1(T, 'other')}`)).toMatchObject({ reason: 'invalid_signature' });
    expect(refusal(`t=${T},v1=${v1(T, SECRET, `${BODY} `)}`)).toMatchObject({ reason: 'invalid_signature' });
    // The timestamp is signed: moving it breaks the signature.
    expect(refusal(`t=${T + 1},v1=${v1(T)}`)).toMatchObject({ reason: 'invalid_signature' });
  });

  it('refuses an authentic signature outside the window, stale or future, and not when the window is off', () => {
    expect(refusal(`t=${T - 301},v1=${v1(T - 301)}`)).toMatchObject({ status: 401, reason: 'stale_timestamp' });
    expect(refusal(`t=${T + 301},v1=${v1(T + 301)}`)).toMatchObject({ reason: 'stale_timestamp' });
    expect(refusal(`t=${T - 300},v1=${v1(T - 300)}`)).toBeUndefined();
    expect(refusal(`t=${T - 86_400},v1=${v1(T - 86_400)}`, 0)).toBeUndefined();
  });

  it('parses sets leniently: unknown entries ignored, malformed v1 skipped', () => {
    expect(parseSignatureSets(`t=5,v1=${'a'.repeat(64)},v1=nothex,v0=x t=6,v1=${'b'.repeat(64)}`)).toEqual([
      { timestamp: 5, signatures: [Buffer.from('a'.repeat(64), 'hex')] },
      { timestamp: 6, signatures: [Buffer.from('b'.repeat(64), 'hex')] },
    ]);
    expect(parseSignatureSets('garbage ,,, =')).toEqual([]);
  });
});
