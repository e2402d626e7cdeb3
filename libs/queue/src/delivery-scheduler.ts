import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { DeliveryEntity } from '@kyc/persistence';
import { DELIVERIES_QUEUE, DeliveryJob, deliveryJobId } from './queue-names';
import { RedisMonitor } from './redis-monitor';

/** Puts delivery attempts on the deliveries queue; adding the same attempt twice is a no-op. */
@Injectable()
export class DeliveryScheduler {
  constructor(
    @InjectQueue(DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJob>,
    monitor: RedisMonitor,
  ) {
    monitor.watch(queue);
  }

  async schedule(deliveries: Pick<DeliveryEntity, 'id' | 'replays' | 'attempts' | 'nextAttemptAt'>[], now = Date.now()): Promise<void> {
    if (deliveries.length === 0) return;
    await this.queue.addBulk(
      deliveries.map((delivery) => {
        const data = { deliveryId: delivery.id, replays: delivery.replays, attempts: delivery.attempts };
        const delay = Math.max(0, (delivery.nextAttemptAt?.getTime() ?? now) - now);
        return { name: 'deliver', data, opts: { jobId: deliveryJobId(data), delay, removeOnComplete: true, removeOnFail: 1_000 } };
      }),
    );
  }

  /** Whether the job of a delivery's current attempt is still in Redis (waiting, delayed or active). */
  async isQueued(delivery: Pick<DeliveryEntity, 'id' | 'replays' | 'attempts'>): Promise<boolean> {
    const state = await this.queue.getJobState(deliveryJobId({ deliveryId: delivery.id, replays: delivery.replays, attempts: delivery.attempts }));
    return state !== 'unknown' && state !== 'completed' && state !== 'failed';
  }
}
