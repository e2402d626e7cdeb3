import { nextAttemptDelayMs, parseRetryAfter, retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const exponential = { type: 'exponential' as const, delayMs: 1_000, maxDelayMs: 60_000 };

  it('grows exponentially with jitter, strictly, and stays under the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(exponential, attempt));
    expect(delays[0]).toBeGreaterThanOrEqual(750);
    expect(delays[0]).toBeLessThanOrEqual(1_000);
    for (let i = 1; i < 6; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(retryDelayMs(exponential, 1_000)).toBeLessThanOrEqual(60_000);
  });

  it('uses the bounds of the jitter', () => {
    expect(retryDelayMs(exponential, 3, () => 0)).toBe(3_000);
    expect(retryDelayMs(exponential, 3, () => 1)).toBe(4_000);
  });

  it('keeps a fixed delay fixed', () => {
    expect(retryDelayMs({ type: 'fixed', delayMs: 30_000, maxDelayMs: 60_000 }, 7)).toBe(30_000);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:05:00 GMT', now)).toBe(300_000);
    expect(parseRetryAfter(['30', '60'], now)).toBe(30_000);
  });

  it('takes a past date as now and ignores what it cannot read', () => {
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', '-5', '1.5', 'soon', '10 seconds']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });

  it('waits the longer of backoff and Retry-After, Retry-After clamped', () => {
    expect(nextAttemptDelayMs(1_000, undefined, 3_600_000)).toBe(1_000);
    expect(nextAttemptDelayMs(1_000, 120_000, 3_600_000)).toBe(120_000);
    expect(nextAttemptDelayMs(300_000, 120_000, 3_600_000)).toBe(300_000);
    expect(nextAttemptDelayMs(1_000, 86_400_000, 3_600_000)).toBe(3_600_000);
    // A long backoff chosen by the operator stays as it is.
    expect(nextAttemptDelayMs(7_200_000, 86_400_000, 3_600_000)).toBe(7_200_000);
  });
});
