import { Injectable, Logger } from '@nestjs/common';
import type { VerificationEvent } from '@kyc/core';
import { MetricsService } from '@kyc/observability';
import { DeliveryEntity, DeliveryStore, Subscriber } from '@kyc/persistence';
import { DeliveryScheduler } from '@kyc/queue';
import { QueueChannel } from './queue.channel';

export interface DueDelivery {
  delivery: DeliveryEntity;
  subscriber: Subscriber;
  event: VerificationEvent;
}

/**
 * The fast path of queue subscribers: a batch of pending deliveries handed over with one addBulk
 * per queue and recorded with a few statements, where the per-delivery path (a deliveries job,
 * DeliveryService) costs a job, three reads and two writes each. Same records, same guarantee:
 * the database says pending until Redis has taken the jobs, and the job id (event id) makes a
 * second hand-over a no-op. A queue that refuses (Redis away) gets its deliveries scheduled as
 * ordinary jobs, with the subscriber's retries and backoff.
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

  async deliver(due: DueDelivery[]): Promise<void> {
    const bySubscriber = new Map<string, DueDelivery[]>();
    for (const item of due) bySubscriber.set(item.subscriber.id, [...(bySubscriber.get(item.subscriber.id) ?? []), item]);
    await Promise.all([...bySubscriber.values()].map((items) => this.deliverTo(items[0].subscriber, items)));
  }

  private async deliverTo(subscriber: Subscriber, items: DueDelivery[]): Promise<void> {
    const deliveries = items.map((item) => item.delivery);
    const attemptedAt = new Date();
    const started = performance.now();
    try {
      await this.channel.deliverMany(subscriber, items);
    } catch (error) {
      this.logger.warn(`queue ${subscriber.queue} refused ${items.length} deliveries, scheduling them one by one: ${(error as Error).message}`);
      await this.scheduler.schedule(deliveries);
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    await this.deliveries.recordDelivered(deliveries, attemptedAt, seconds * 1000);
    for (let count = 0; count < deliveries.length; count++) this.metrics.deliveryAttempted(subscriber.name, subscriber.kind, 'succeeded', seconds / deliveries.length);
  }
}
