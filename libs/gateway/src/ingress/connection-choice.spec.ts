import { WebhookRejection } from '@kyc/core';
import type { InboundWebhook, PreparedConnection } from '@kyc/providers';
import type { CachedConnection } from './connection.cache';
import { authenticateAgainst, credentialsToTry, enabledCandidates, moreTelling, namedCandidate } from './connection-choice';

const NOW = Date.parse('2025-01-01T12:00:00.000Z');
/**
 * Verifies when the `x-secret` header is the credentials' secret; otherwise refuses as the
 * `x-refusal` header says, or trips (a TypeError) when that header is `crash`.
 */
const credentials = (secret: string, requiredHeaders: Record<string, string> = {}): PreparedConnection => ({
  requiredHeaders,
  authenticate(request: InboundWebhook) {
    if (request.headers['x-secret'] === secret) return { providerEventId: secret, providerEventType: 'done', payload: {} };
    const refusal = request.headers['x-refusal'] ?? 'invalid_signature';
    if (refusal === 'crash') throw new TypeError('cannot read properties of undefined');
    throw new WebhookRejection(refusal as WebhookRejection['reason'], `refused: ${refusal}`);
  },
});
const connection = (name: string, fields: Partial<CachedConnection> = {}): CachedConnection => ({
  provider: 'acme',
  name,
  enabled: true,
  current: credentials(`${name}-secret`),
  previous: null,
  ...fields,
});
const webhook = (headers: Record<string, string>) => ({ rawBody: Buffer.from('{}'), headers, receivedAt: new Date(NOW) }) as unknown as InboundWebhook;

const refusalOf = (run: () => unknown): WebhookRejection => {
  try {
    run();
  } catch (error) {
    return error as WebhookRejection;
  }
  throw new Error('expected a refusal');
};

describe('candidate connections', () => {
  it('on the single URL: every enabled connection, in order, or unknown_connection', () => {
    const [a, b, off] = [connection('a'), connection('b'), connection('off', { enabled: false })];
    expect(enabledCandidates('acme', [a, off, b])).toEqual([a, b]);
    expect(refusalOf(() => enabledCandidates('acme', [off]))).toMatchObject({ reason: 'unknown_connection', message: 'no enabled connection for acme' });
    expect(refusalOf(() => enabledCandidates('acme', []))).toMatchObject({ reason: 'unknown_connection' });
  });

  it('on a named route: that connection, unknown (name cut to 100) or disabled', () => {
    const named = connection('eu');
    expect(namedCandidate('acme', 'eu', named)).toEqual([named]);
    expect(refusalOf(() => namedCandidate('acme', 'x'.repeat(150), undefined))).toMatchObject({ reason: 'unknown_connection', message: `no connection acme/${'x'.repeat(100)}` });
    expect(refusalOf(() => namedCandidate('acme', 'eu', { ...named, enabled: false }))).toMatchObject({ reason: 'disabled_connection', message: 'connection acme/eu is disabled' });
  });

  it('tries the previous secrets only while their rotation grace lasts', () => {
    const old = credentials('old');
    const rotated = connection('a', { previous: { credentials: old, expiresAt: NOW + 1 } });
    expect(credentialsToTry(rotated, NOW)).toEqual([rotated.current, old]);
    expect(credentialsToTry(rotated, NOW + 1)).toEqual([rotated.current]);
    const plain = connection('b');
    expect(credentialsToTry(plain, NOW)).toEqual([plain.current]);
  });
});

describe('refusal ranking', () => {
  const refusal = (reason: WebhookRejection['reason']) => new WebhookRejection(reason, reason);

  it('keeps the most telling refusal: stale timestamp > malformed > invalid > missing signature > anything else', () => {
    const order = ['stale_timestamp', 'malformed', 'invalid_signature', 'missing_signature'] as const;
    for (const [index, better] of order.entries()) {
      for (const worse of order.slice(index + 1)) {
        expect(moreTelling(refusal(worse), refusal(better)).reason).toBe(better);
        expect(moreTelling(refusal(better), refusal(worse)).reason).toBe(better);
      }
    }
    expect(moreTelling(refusal('missing_signature'), refusal('unknown_connection')).reason).toBe('missing_signature');
  });

  it('keeps the first of equally telling refusals, and takes any refusal over none', () => {
    const first = refusal('invalid_signature');
    expect(moreTelling(first, refusal('invalid_signature'))).toBe(first);
    expect(moreTelling(undefined, first)).toBe(first);
  });
});

describe('authenticateAgainst', () => {
  it('takes the first connection whose credentials verify, previous secrets included', () => {
    const [a, b] = [connection('a'), connection('b', { previous: { credentials: credentials('b-old'), expiresAt: NOW + 60_000 } })];
    expect(authenticateAgainst(webhook({ 'x-secret': 'b-secret' }), [a, b], NOW).connection).toBe(b);
    expect(authenticateAgainst(webhook({ 'x-secret': 'b-old' }), [a, b], NOW)).toMatchObject({ connection: b, decoded: { providerEventId: 'b-old' } });
    expect(refusalOf(() => authenticateAgainst(webhook({ 'x-secret': 'b-old' }), [a, b], NOW + 60_000))).toMatchObject({ reason: 'invalid_signature' });
  });

  it('checks the required headers of each credentials set before the adapter', () => {
    const guarded = connection('a', { current: credentials('a-secret', { 'X-Tenant': 't1' }) });
    expect(refusalOf(() => authenticateAgainst(webhook({ 'x-secret': 'a-secret' }), [guarded], NOW))).toMatchObject({ reason: 'missing_signature' });
    expect(authenticateAgainst(webhook({ 'x-secret': 'a-secret', 'x-tenant': 't1' }), [guarded], NOW).connection).toBe(guarded);
  });

  it('answers with the most telling refusal, and a malformed one when the adapter trips', () => {
    const candidates = [connection('a', { current: credentials('a', { 'x-tenant': 't' }) }), connection('b')];
    expect(refusalOf(() => authenticateAgainst(webhook({ 'x-refusal': 'stale_timestamp' }), candidates, NOW))).toMatchObject({ reason: 'stale_timestamp' });
    expect(refusalOf(() => authenticateAgainst(webhook({}), candidates, NOW))).toMatchObject({ reason: 'invalid_signature' });
    expect(refusalOf(() => authenticateAgainst(webhook({ 'x-refusal': 'crash' }), [connection('a')], NOW))).toMatchObject({
      reason: 'malformed',
      message: 'could not be decoded (TypeError)',
    });
  });
});
