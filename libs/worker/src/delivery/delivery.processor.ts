import { InjectQueue, Processor } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { DELIVERIES_QUEUE, type DeliveryJob, readDeliveryJob, RedisMonitor } from '@kyc/queue';
import { PROCESSOR_LOCK_OPTIONS, QueueProcessor } from '../queue-processor';
import { ActiveJobs, WorkerDrain } from '../worker-drain';
import { DeliveryService } from './delivery.service';

/**
 * Consumes the deliveries queue: one job = one attempt. Retries of *attempts* are scheduled by
 * DeliveryService as new delayed jobs (per-subscriber backoff, counted in the database); BullMQ's
 * own retries only cover infrastructure errors (database or Redis down while recording).
 */
@Processor(DELIVERIES_QUEUE, { concurrency: 64, ...PROCESSOR_LOCK_OPTIONS })
export class DeliveryProcessor extends QueueProcessor<DeliveryJob> {
  constructor(
    private readonly deliveries: DeliveryService,
    monitor: RedisMonitor,
    jobs: ActiveJobs,
    @InjectQueue(DELIVERIES_QUEUE) queue: Queue,
    drain: WorkerDrain,
  ) {
    super({ monitor, jobs, queue, drain });
  }

  protected read(data: unknown): DeliveryJob | undefined {
    return readDeliveryJob(data);
  }

  protected handle(job: DeliveryJob): Promise<void> {
    return this.deliveries.attempt(job);
  }

  protected describeFailure(job: Job | undefined, _data: DeliveryJob | undefined, error: Error): string {
    return `delivery job ${job?.id ?? '?'} failed: ${error.message}`;
  }
}
