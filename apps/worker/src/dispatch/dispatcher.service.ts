import { Injectable } from '@nestjs/common';
import { filterMatches } from '@kyc/core';
import { DeliveryStore, EventStore } from '@kyc/persistence';
import { DeliveryScheduler } from '@kyc/queue';
import { SubscriberCache } from '../subscribers/subscriber-cache.service';

/**
 * Turns a stored event into one delivery per matching subscriber. Idempotent end to end: run it
 * twice (crash, BullMQ retry, relay) and the unique (event, subscriber) index and the job ids
 * make the second run a no-op.
 */
@Injectable()
export class DispatcherService {
  constructor(
    private readonly events: EventStore,
    private readonly deliveries: DeliveryStore,
    private readonly subscribers: SubscriberCache,
    private readonly scheduler: DeliveryScheduler,
  ) {}

  /** Returns false when the event is not stored (nothing to dispatch). */
  async dispatch(eventId: string): Promise<boolean> {
    const event = await this.events.findById(eventId);
    if (!event) return false;
    const receivedAt = new Date(event.receivedAt).getTime();
    // Subscribers that existed when the event was received, as the contract promises.
    const matching = (await this.subscribers.allAsOf(receivedAt)).filter((subscriber) => new Date(subscriber.createdAt).getTime() <= receivedAt && filterMatches(subscriber.filter, event));
    const deliveries = await this.deliveries.createForEvent(event.id, matching.map((subscriber) => subscriber.id));
    const enabled = new Set(matching.filter((subscriber) => subscriber.enabled).map((subscriber) => subscriber.id));
    await this.scheduler.schedule(deliveries.filter((delivery) => delivery.status === 'pending' && enabled.has(delivery.subscriberId)));
    await this.events.markDispatched([event.id]);
    return true;
  }
}
