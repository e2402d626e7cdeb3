import type { VerificationEvent } from '@kyc/core';
import type { DeliveryEntity, Subscriber } from '@kyc/persistence';

/** How one attempt went. A thrown error counts as a failed attempt too. */
export interface AttemptOutcome {
  ok: boolean;
  httpStatus?: number;
  error?: string;
  /** The receiver's Retry-After (429, 503), in milliseconds. */
  retryAfterMs?: number;
}

/** A way of handing an event to a subscriber (its queue, an HTTP endpoint). */
export interface DeliveryChannel {
  deliver(subscriber: Subscriber, event: VerificationEvent, delivery: DeliveryEntity): Promise<AttemptOutcome>;
}
