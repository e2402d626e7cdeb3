import { retryDelayMs } from './backoff';

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
