import { Injectable } from '@nestjs/common';
import { filterMatches, MicroBatcher, type VerificationEvent } from '@kyc/core';
import { DeliveryStore, EventStore, Subscriber } from '@kyc/persistence';
import { DeliveryScheduler } from '@kyc/queue';
import { BulkQueueDelivery, DueDelivery } from '../delivery/bulk-queue-delivery.service';
import { SubscriberCache } from '../subscribers/subscriber-cache.service';

/**
 * Turns stored events into one delivery per matching subscriber, a batch at a time. Idempotent
 * end to end: run it twice (crash, BullMQ retry, relay) and the unique (event, subscriber) index,
 * the job ids and `dispatchedAt` make the second run a no-op. Queue subscribers are served at
 * once, in bulk; HTTP subscribers get one job per delivery (each call has its own fate).
 */
@Injectable()
export class DispatcherService {
  /** Events of concurrent dispatch jobs go together: one set of statements and hand-overs for all. */
  private readonly batches = new MicroBatcher<string[], void>(
    async (lists) => {
      const eventIds = lists.flat();
      for (let start = 0; start < eventIds.length; start += MAX_EVENTS_PER_PASS) await this.dispatchNow(eventIds.slice(start, start + MAX_EVENTS_PER_PASS));
      return lists.map(() => undefined);
    },
    { maxBatchSize: 64, maxInFlight: 2 },
  );

  constructor(
    private readonly events: EventStore,
    private readonly deliveries: DeliveryStore,
    private readonly subscribers: SubscriberCache,
    private readonly scheduler: DeliveryScheduler,
    private readonly bulkQueue: BulkQueueDelivery,
  ) {}

  /** Resolves once every one of `eventIds` is dispatched (an id not stored, or already dispatched, is skipped). */
  dispatch(eventIds: string[]): Promise<void> {
    return this.batches.submit(eventIds);
  }

  /** Returns how many events were dispatched. */
  private async dispatchNow(eventIds: string[]): Promise<number> {
    const events = await this.events.findUndispatchedByIds(eventIds);
    if (events.length === 0) return 0;
    // Subscribers that existed when each event was received, as the contract promises.
    const latest = Math.max(...events.map((event) => Date.parse(event.receivedAt)));
    const subscribers = await this.subscribers.allAsOf(latest);
    const matching = new Map(events.map((event) => [event.id, matchingSubscribers(subscribers, event)]));
    const pairs = events.flatMap((event) => matching.get(event.id)!.map((subscriber) => ({ eventId: event.id, subscriberId: subscriber.id })));
    const deliveries = pairs.length === 0 ? [] : await this.deliveries.createForEvents(pairs, events.map((event) => event.id));

    const byId = new Map(subscribers.map((subscriber) => [subscriber.id, subscriber]));
    const eventsById = new Map(events.map((event) => [event.id, event]));
    const due: DueDelivery[] = [];
    for (const delivery of deliveries) {
      const subscriber = byId.get(delivery.subscriberId);
      if (delivery.status === 'pending' && subscriber?.enabled) due.push({ delivery, subscriber, event: eventsById.get(delivery.eventId)! });
    }
    await this.bulkQueue.deliver(due.filter((item) => item.subscriber.kind === 'queue'));
    await this.scheduler.schedule(due.filter((item) => item.subscriber.kind !== 'queue').map((item) => item.delivery));
    await this.events.markDispatched(events.map((event) => event.id));
    return events.length;
  }
}

/** Events per pass: bounds the statements' parameters (SQLite allows 32,766). */
const MAX_EVENTS_PER_PASS = 500;

function matchingSubscribers(subscribers: Subscriber[], event: VerificationEvent): Subscriber[] {
  const receivedAt = Date.parse(event.receivedAt);
  return subscribers.filter((subscriber) => Date.parse(subscriber.createdAt) <= receivedAt && filterMatches(subscriber.filter, event));
}
