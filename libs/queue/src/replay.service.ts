import { Injectable } from '@nestjs/common';
import { filterMatches, NotFoundError } from '@kyc/core';
import { DeliveryEntity, DeliveryStore, EventStore, SubscriberStore } from '@kyc/persistence';
import { DeliveryScheduler } from './delivery-scheduler';

/** The event, a subscriber or the delivery to deliver again does not exist; the message says which. */
export class ReplayTargetNotFoundError extends NotFoundError {
  constructor(message: string) {
    super(message, 'REPLAY_TARGET_NOT_FOUND');
  }
}

/**
 * Deliver again on demand: an event to all its matching subscribers (or chosen ones), or one
 * delivery (e.g. a dead-lettered one). Each starts a new round of attempts; a queue subscriber
 * gets a new job `<eventId>:replay:<n>`. Used by the admin API; any process with the queue can run it.
 */
@Injectable()
export class ReplayService {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberStore,
    private readonly deliveries: DeliveryStore,
    private readonly scheduler: DeliveryScheduler,
  ) {}

  async replayEvent(eventId: string, subscriberIds?: string[]): Promise<DeliveryEntity[]> {
    const event = await this.events.findById(eventId);
    if (!event) throw new ReplayTargetNotFoundError(`event ${eventId} not found`);
    const subscribers = await this.subscribers.all();
    const targets = subscriberIds ? subscribers.filter((subscriber) => subscriberIds.includes(subscriber.id)) : subscribers.filter((subscriber) => filterMatches(subscriber.filter, event));
    if (subscriberIds && targets.length !== new Set(subscriberIds).size) throw new ReplayTargetNotFoundError('unknown subscriber id');
    const existing = await this.deliveries.createForEvent(
      event.id,
      targets.map((subscriber) => subscriber.id),
    );
    const wanted = new Set(targets.map((subscriber) => subscriber.id));
    const restarted: DeliveryEntity[] = [];
    for (const delivery of existing.filter((candidate) => wanted.has(candidate.subscriberId))) {
      restarted.push((await this.deliveries.restart(delivery.id))!);
    }
    const enabled = new Set(targets.filter((subscriber) => subscriber.enabled).map((subscriber) => subscriber.id));
    await this.scheduler.schedule(restarted.filter((delivery) => enabled.has(delivery.subscriberId)));
    return restarted;
  }

  async retryDelivery(deliveryId: string): Promise<DeliveryEntity> {
    const delivery = await this.deliveries.restart(deliveryId);
    if (!delivery) throw new ReplayTargetNotFoundError('delivery not found');
    await this.scheduler.schedule([delivery]);
    return delivery;
  }
}
