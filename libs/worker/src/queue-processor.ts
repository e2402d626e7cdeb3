import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { RedisMonitor } from '@kyc/queue';
import type { ActiveJobs, WorkerDrain } from './worker-drain';

/** A short lock: a killed worker's job is taken over within ~15 s (a live worker renews its lock). */
export const PROCESSOR_LOCK_OPTIONS = { lockDuration: 10_000, stalledInterval: 5_000 } as const;

/** What every processor is given by Nest, passed on to the base as is. */
export interface ProcessorWiring {
  monitor: RedisMonitor;
  jobs: ActiveJobs;
  queue: Queue;
  drain: WorkerDrain;
}

/**
 * The base of the worker's BullMQ processors: Redis errors go to the monitor, the worker drains on
 * shutdown, each job counts as active while it runs, and data that can never succeed fails at
 * once (UnrecoverableError) instead of being retried. A processor only reads its job's data and
 * hands it to a service; it signals failure by throwing, so BullMQ's retries still apply.
 */
export abstract class QueueProcessor<Data> extends WorkerHost {
  protected readonly logger = new Logger(this.constructor.name);
  private readonly monitor: RedisMonitor;
  private readonly jobs: ActiveJobs;

  constructor({ monitor, jobs, queue, drain }: ProcessorWiring) {
    super();
    this.monitor = monitor;
    this.jobs = jobs;
    monitor.watch(queue);
    drain.register(() => this.worker);
  }

  /** The job's data, or undefined when it is malformed. */
  protected abstract read(data: unknown): Data | undefined;

  protected abstract handle(data: Data): Promise<void>;

  /** The log line of a failed job (`data` undefined when malformed or missing). */
  protected abstract describeFailure(job: Job | undefined, data: Data | undefined, error: Error): string;

  process(job: Job): Promise<void> {
    const data = this.read(job.data);
    if (data === undefined) return Promise.reject(new UnrecoverableError(`malformed job data: ${JSON.stringify(job.data)?.slice(0, 200)}`));
    return this.jobs.run(() => this.handle(data));
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.monitor.report(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(this.describeFailure(job, job && this.read(job.data), error));
  }
}
