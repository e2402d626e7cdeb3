import { decideAfterAttempt, healthAfterAttempt, type RetryLimits } from './after-attempt';

const NOW = Date.parse('2025-01-01T12:00:00.000Z');
const fixed: RetryLimits = { retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 10_000, maxDelayMs: 60_000 } }, maxRetryAfterMs: 300_000 };
const failed = (fields: { httpStatus?: number; retryAfterMs?: number } = {}) => ({ ok: false, error: 'HTTP 500', httpStatus: 500, ...fields });
const decide = (outcome: Parameters<typeof decideAfterAttempt>[0], attemptNumber: number, limits = fixed) => decideAfterAttempt(outcome, attemptNumber, limits, NOW, () => 1);

describe('decideAfterAttempt', () => {
  it('ends a delivery whose attempt succeeded, even on its last attempt', () => {
    expect(decide({ ok: true, httpStatus: 200 }, 1)).toEqual({ kind: 'succeeded' });
    expect(decide({ ok: true, httpStatus: 200 }, 3)).toEqual({ kind: 'succeeded' });
  });

  it('retries after the backoff while attempts are left, and fails for good after the last', () => {
    expect(decide(failed(), 1)).toEqual({ kind: 'retry', at: new Date(NOW + 10_000) });
    expect(decide(failed(), 2)).toEqual({ kind: 'retry', at: new Date(NOW + 10_000) });
    expect(decide(failed(), 3)).toEqual({ kind: 'failed' });
    expect(decide(failed(), 4)).toEqual({ kind: 'failed' });
  });

  it('grows an exponential backoff with the attempt number, up to its cap', () => {
    const exponential: RetryLimits = { ...fixed, retry: { maxAttempts: 10, backoff: { type: 'exponential', delayMs: 1_000, maxDelayMs: 5_000 } } };
    expect(decide(failed(), 1, exponential)).toEqual({ kind: 'retry', at: new Date(NOW + 1_000) });
    expect(decide(failed(), 3, exponential)).toEqual({ kind: 'retry', at: new Date(NOW + 4_000) });
    expect(decide(failed(), 4, exponential)).toEqual({ kind: 'retry', at: new Date(NOW + 5_000) });
  });

  it('honours a longer Retry-After up to the bound, never a shorter one', () => {
    expect(decide(failed({ httpStatus: 429, retryAfterMs: 120_000 }), 1)).toEqual({ kind: 'retry', at: new Date(NOW + 120_000) });
    expect(decide(failed({ httpStatus: 503, retryAfterMs: 86_400_000 }), 1)).toEqual({ kind: 'retry', at: new Date(NOW + 300_000) });
    expect(decide(failed({ httpStatus: 429, retryAfterMs: 1_000 }), 1)).toEqual({ kind: 'retry', at: new Date(NOW + 10_000) });
    expect(decide(failed({ httpStatus: 429, retryAfterMs: 120_000 }), 3)).toEqual({ kind: 'failed' });
  });

  it('keeps a delivery answered 410 waiting, due at once, whatever attempts are left', () => {
    expect(decide(failed({ httpStatus: 410 }), 1)).toEqual({ kind: 'wait-for-subscriber', at: new Date(NOW) });
    expect(decide(failed({ httpStatus: 410 }), 3)).toEqual({ kind: 'wait-for-subscriber', at: new Date(NOW) });
  });
});

describe('healthAfterAttempt', () => {
  const attemptedAt = new Date(NOW);
  const hour = 3_600_000;
  const http = { kind: 'http' as const, url: 'https://hooks.example.com/kyc', failingSince: null };
  const failingFor = (ms: number) => ({ ...http, failingSince: new Date(NOW - ms).toISOString() });

  it('keeps the failure streak of queue subscribers but never pauses or disables them', () => {
    const since = new Date(attemptedAt.getTime() - 2 * hour).toISOString();
    expect(healthAfterAttempt({ kind: 'queue', failingSince: null }, failed({ httpStatus: 410 }), attemptedAt, hour)).toEqual({ kind: 'failing', failingSince: attemptedAt.toISOString() });
    expect(healthAfterAttempt({ kind: 'queue', failingSince: since }, failed({}), attemptedAt, hour)).toEqual({ kind: 'failing', failingSince: since });
    expect(healthAfterAttempt({ kind: 'queue', failingSince: since }, { ok: true }, attemptedAt, hour)).toEqual({ kind: 'recovered' });
    expect(healthAfterAttempt({ kind: 'queue', failingSince: null }, { ok: true }, attemptedAt, hour)).toEqual({ kind: 'unchanged' });
  });

  it('writes nothing for a success unless the subscriber was failing', () => {
    expect(healthAfterAttempt(http, { ok: true }, attemptedAt, hour)).toEqual({ kind: 'unchanged' });
    expect(healthAfterAttempt(failingFor(1_000), { ok: true }, attemptedAt, hour)).toEqual({ kind: 'recovered' });
  });

  it('starts a failure streak at the first failure, and keeps its start afterwards', () => {
    expect(healthAfterAttempt(http, failed(), attemptedAt, hour)).toEqual({ kind: 'failing', failingSince: attemptedAt.toISOString() });
    expect(healthAfterAttempt(failingFor(1_000), failed(), attemptedAt, hour)).toEqual({ kind: 'failing', failingSince: new Date(NOW - 1_000).toISOString() });
  });

  it('disables on 410, naming the host', () => {
    expect(healthAfterAttempt(http, failed({ httpStatus: 410 }), attemptedAt, hour)).toEqual({ kind: 'gone', failingSince: attemptedAt.toISOString(), reason: 'HTTP 410 from hooks.example.com' });
    expect(healthAfterAttempt({ ...http, url: 'not a url' }, failed({ httpStatus: 410 }), attemptedAt, 0)).toMatchObject({ kind: 'gone', reason: 'HTTP 410 from the subscriber' });
  });

  it('asks for a pause once the streak reaches the auto-pause period, and never when it is 0', () => {
    expect(healthAfterAttempt(failingFor(hour - 1), failed(), attemptedAt, hour)).toMatchObject({ kind: 'failing' });
    expect(healthAfterAttempt(failingFor(hour), failed(), attemptedAt, hour)).toEqual({
      kind: 'pause-due',
      failingSince: new Date(NOW - hour).toISOString(),
      failingBefore: new Date(NOW - hour),
    });
    expect(healthAfterAttempt(failingFor(100 * hour), failed(), attemptedAt, 0)).toMatchObject({ kind: 'failing' });
  });
});
