import type { Subscriber } from '@kyc/persistence';
import { nextAttemptDelayMs, retryDelayMs } from './backoff';
import type { AttemptOutcome } from './delivery-channel';

/** What becomes of a delivery once an attempt is recorded. */
export type DeliveryDecision =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: Date }
  /** Out of attempts: dead-lettered. */
  | { kind: 'failed' }
  /** 410 Gone: the subscriber is disabled; the delivery waits, due at once, for it to be enabled again. */
  | { kind: 'wait-for-subscriber'; at: Date };

export interface RetryLimits {
  retry: Subscriber['retry'];
  /** SUBSCRIBER_MAX_RETRY_AFTER_SECONDS, in milliseconds. */
  maxRetryAfterMs: number;
}

/**
 * After attempt number `attemptNumber` (1-based): done, retried after the subscriber's backoff (or
 * its Retry-After when longer, clamped), failed for good once out of attempts, or waiting for a
 * subscriber that answered 410 whatever attempts are left.
 */
export function decideAfterAttempt(outcome: AttemptOutcome, attemptNumber: number, limits: RetryLimits, now = Date.now(), random = Math.random): DeliveryDecision {
  if (outcome.ok) return { kind: 'succeeded' };
  if (isGone(outcome)) return { kind: 'wait-for-subscriber', at: new Date(now) };
  if (attemptNumber >= limits.retry.maxAttempts) return { kind: 'failed' };
  const delayMs = nextAttemptDelayMs(retryDelayMs(limits.retry.backoff, attemptNumber, random), outcome.retryAfterMs, limits.maxRetryAfterMs);
  return { kind: 'retry', at: new Date(now + delayMs) };
}

/** What an attempt tells of a subscriber's health. */
export type HealthChange =
  | { kind: 'unchanged' }
  | { kind: 'recovered' }
  | { kind: 'failing'; failingSince: string }
  | { kind: 'gone'; failingSince: string; reason: string }
  /** Failing for SUBSCRIBER_AUTO_PAUSE_AFTER_MS by the cached streak: paused if the database agrees it failed since before `failingBefore`. */
  | { kind: 'pause-due'; failingSince: string; failingBefore: Date };

/**
 * `pauseAfterMs` is SUBSCRIBER_AUTO_PAUSE_AFTER_MS (0: never pause). Queue subscribers keep a
 * failure streak too (its start names their `ops.subscriber.failing` episode), but are never
 * paused or disabled: their failures are our Redis, not the subscriber.
 */
export function healthAfterAttempt(subscriber: Pick<Subscriber, 'kind' | 'failingSince'> & { url?: string }, outcome: AttemptOutcome, attemptedAt: Date, pauseAfterMs: number): HealthChange {
  if (outcome.ok) return subscriber.failingSince === null ? { kind: 'unchanged' } : { kind: 'recovered' };
  const failingSince = subscriber.failingSince ?? attemptedAt.toISOString();
  if (subscriber.kind !== 'http') return { kind: 'failing', failingSince };
  if (isGone(outcome)) return { kind: 'gone', failingSince, reason: `HTTP 410 from ${hostOf(subscriber.url)}` };
  if (pauseAfterMs === 0 || Date.parse(failingSince) > attemptedAt.getTime() - pauseAfterMs) return { kind: 'failing', failingSince };
  return { kind: 'pause-due', failingSince, failingBefore: new Date(attemptedAt.getTime() - pauseAfterMs) };
}

/** 410 Gone: the receiver says the endpoint is gone for good. */
function isGone(outcome: AttemptOutcome): boolean {
  return !outcome.ok && outcome.httpStatus === 410;
}

function hostOf(url: string | undefined): string {
  try {
    return new URL(url ?? '').host;
  } catch {
    return 'the subscriber';
  }
}
