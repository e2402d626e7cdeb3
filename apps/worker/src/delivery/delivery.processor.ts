import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { DELIVERIES_QUEUE, DeliveryJob, RedisMonitor } from '@kyc/queue';
import { ActiveJobs, WorkerDrain } from '../worker-drain.service';
import { DeliveryService } from './delivery.service';

/**
 * Consumes the deliveries queue: one job = one attempt. Retries of *attempts* are scheduled by
 * DeliveryService as new delayed jobs (per-subscriber backoff, counted in the database); BullMQ's
 * own retries only cover infrastructure errors (database or Redis down while recording).
 */
// A short lock: a killed worker's attempt is taken over within ~15 s (a live worker renews its lock).
@Processor(DELIVERIES_QUEUE, { concurrency: 64, lockDuration: 10_000, stalledInterval: 5_000 })
export class DeliveryProcessor extends WorkerHost {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    private readonly deliveries: DeliveryService,
    private readonly monitor: RedisMonitor,
    private readonly jobs: ActiveJobs,
    @InjectQueue(DELIVERIES_QUEUE) queue: Queue,
    drain: WorkerDrain,
  ) {
    super();
    monitor.watch(queue);
    drain.register(() => this.worker);
  }

  process(job: Job<DeliveryJob>): Promise<void> {
    return this.jobs.run(() => this.deliveries.attempt(job.data));
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.monitor.report(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<DeliveryJob> | undefined, error: Error): void {
    this.logger.warn(`delivery job ${job?.id ?? '?'} failed: ${error.message}`);
  }
}
