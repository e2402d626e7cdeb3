import { Injectable, Logger } from '@nestjs/common';
import type { VerificationEvent } from '@kyc/core';
import { MetricsService } from '@kyc/observability';
import { DeliveryEntity, DeliveryStore, HandOver, Subscriber } from '@kyc/persistence';
import { DeliveryScheduler } from '@kyc/queue';
import { QueueChannel } from './queue.channel';

export interface DueDelivery {
  delivery: DeliveryEntity;
  subscriber: Subscriber;
  event: VerificationEvent;
}

/**
 * The fast path of queue subscribers: a batch of deliveries handed over with one addBulk per
 * queue and recorded with a few statements in one transaction, where the per-delivery path (a
 * deliveries job, DeliveryService) costs a job, three reads and two writes each. Same records,
 * same guarantee: a delivery is recorded as succeeded only once Redis has taken its job, and the
 * job id (the event id) makes a second hand-over a no-op. A queue that refuses (Redis away) has
 * its deliveries scheduled as ordinary jobs, with the subscriber's retries and backoff.
 */
@Injectable()
export class BulkQueueDelivery {
  private readonly logger = new Logger(BulkQueueDelivery.name);

  constructor(
    private readonly channel: QueueChannel,
    private readonly deliveries: DeliveryStore,
    private readonly scheduler: DeliveryScheduler,
    private readonly metrics: MetricsService,
  ) {}

  /** Deliveries already stored (pending): hand over, record, and schedule what Redis refused. */
  async deliver(due: DueDelivery[]): Promise<void> {
    const handedOver = await this.handOver(due);
    const refused = due.filter((item) => !handedOver.has(item.delivery.id)).map((item) => item.delivery);
    const byHandOver = new Map<HandOver, DeliveryEntity[]>();
    for (const item of due) {
      const handOver = handedOver.get(item.delivery.id);
      if (handOver) byHandOver.set(handOver, [...(byHandOver.get(handOver) ?? []), item.delivery]);
    }
    for (const [handOver, deliveries] of byHandOver) await this.deliveries.recordDelivered(deliveries, handOver);
    await this.scheduler.schedule(refused);
  }

  /**
   * Add each delivery's event to its subscriber's queue, one addBulk per subscriber; returns the
   * hand-over of each delivery that Redis took (recording it is the caller's part).
   */
  async handOver(due: DueDelivery[]): Promise<Map<string, HandOver>> {
    const bySubscriber = new Map<string, DueDelivery[]>();
    for (const item of due) bySubscriber.set(item.subscriber.id, [...(bySubscriber.get(item.subscriber.id) ?? []), item]);
    const handedOver = new Map<string, HandOver>();
    await Promise.all(
      [...bySubscriber.values()].map(async (items) => {
        const subscriber = items[0].subscriber;
        const attemptedAt = new Date();
        const started = performance.now();
        try {
          await this.channel.deliverMany(subscriber, items);
        } catch (error) {
          this.logger.warn(`queue ${subscriber.kind === 'queue' ? subscriber.queue : subscriber.name} refused ${items.length} deliveries, scheduling them one by one: ${(error as Error).message}`);
          return;
        }
        const handOver = { attemptedAt, durationMs: performance.now() - started };
        for (const item of items) {
          handedOver.set(item.delivery.id, handOver);
          this.metrics.deliveryAttempted(subscriber.name, subscriber.kind, 'succeeded', handOver.durationMs / 1000 / items.length);
        }
      }),
    );
    return handedOver;
  }
}
