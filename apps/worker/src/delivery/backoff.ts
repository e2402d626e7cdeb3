import type { Subscriber } from '@kyc/persistence';

/**
 * Delay before the attempt that follows attempt number `attempt` (1-based).
 * exponential: delayMs · 2^(attempt-1), capped at maxDelayMs, with jitter in [75 %, 100 %] so
 * retries of many deliveries spread out while each delay still grows; fixed: delayMs.
 */
export function retryDelayMs(backoff: Subscriber['retry']['backoff'], attempt: number, random = Math.random): number {
  if (backoff.type === 'fixed') return backoff.delayMs;
  const base = Math.min(backoff.maxDelayMs, backoff.delayMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(base * (0.75 + 0.25 * random()));
}
