import { filterMatches, type VerificationEvent } from '@kyc/core';
import type { DeliveryEntity, Subscriber } from '@kyc/persistence';
import type { DueDelivery } from '../delivery/bulk-queue-delivery';

/** The subscribers an event goes to: those that existed when it was received and whose filter it matches. */
export function matchingSubscribers(subscribers: Subscriber[], event: VerificationEvent): Subscriber[] {
  const receivedAt = Date.parse(event.receivedAt);
  return subscribers.filter((subscriber) => Date.parse(subscriber.createdAt) <= receivedAt && filterMatches(subscriber.filter, event));
}

/** Planned deliveries handed over before anything is recorded: those to enabled queue subscribers. */
export function toHandOverAtOnce(planned: DueDelivery[]): DueDelivery[] {
  return planned.filter(({ subscriber }) => subscriber.enabled && subscriber.kind === 'queue');
}

/**
 * Once the dispatch is recorded, what is still to deliver: the pending deliveries of enabled
 * subscribers. Queue deliveries a previous run had stored go through the bulk path; the rest
 * (HTTP subscribers, hand-overs Redis refused) become one job each, with backoff.
 */
export function stillDue(recorded: { stored: DeliveryEntity[]; existing: DeliveryEntity[] }, subscribers: Subscriber[], events: VerificationEvent[]): { bulk: DueDelivery[]; jobs: DeliveryEntity[] } {
  const subscribersById = new Map(subscribers.map((subscriber) => [subscriber.id, subscriber]));
  const eventsById = new Map(events.map((event) => [event.id, event]));
  const due = [...recorded.stored, ...recorded.existing]
    .filter((delivery) => delivery.status === 'pending' && subscribersById.get(delivery.subscriberId)?.enabled)
    .map((delivery) => ({ delivery, subscriber: subscribersById.get(delivery.subscriberId)!, event: eventsById.get(delivery.eventId)! }));
  const earlier = new Set(recorded.existing);
  const isAgain = (item: DueDelivery) => item.subscriber.kind === 'queue' && earlier.has(item.delivery);
  return { bulk: due.filter(isAgain), jobs: due.filter((item) => !isAgain(item)).map((item) => item.delivery) };
}

/** Events per pass: bounds the statements' parameters (SQLite allows 32,766). */
const MAX_EVENTS_PER_PASS = 500;
/**
 * Deliveries a pass plans at most (bounded through its events, by the number of subscribers they
 * could match): each holds its event's job data until handed over, and a worker keeps the heap a
 * peak made it grow. 2,000 keep a fan-out to many subscribers as fast (the statements and the
 * hand-over stay large) with a fraction of the memory.
 */
const MAX_DELIVERIES_PER_PASS = 2_000;

export function eventsPerPass(subscribers: number): number {
  return Math.max(1, Math.min(MAX_EVENTS_PER_PASS, Math.floor(MAX_DELIVERIES_PER_PASS / Math.max(1, subscribers))));
}
