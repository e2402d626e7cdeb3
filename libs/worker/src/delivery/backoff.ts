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

/**
 * A `Retry-After` header (RFC 9110: delay-seconds or an HTTP-date) as milliseconds from `now`;
 * undefined when absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  // The three HTTP-date forms start with a day name; Date.parse alone would take '1.5' as a date.
  const date = /^[A-Za-z]{3,9},? /.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before the next attempt: the subscriber's backoff, or longer when the subscriber asked
 * for more with Retry-After, which is honoured up to `maxRetryAfterMs` (a receiver cannot park
 * deliveries for days; the backoff itself is the operator's choice and is never shortened).
 */
export function nextAttemptDelayMs(backoffMs: number, retryAfterMs: number | undefined, maxRetryAfterMs: number): number {
  return retryAfterMs === undefined ? backoffMs : Math.max(backoffMs, Math.min(retryAfterMs, maxRetryAfterMs));
}
