import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { AppConfig } from '@kyc/config';
import { withTimeout } from '@kyc/core';

/** The jobs this process is running, so that shutdown can wait for them (BullMQ does not count them publicly). */
@Injectable()
export class ActiveJobs {
  private readonly running = new Set<Promise<unknown>>();

  run<T>(work: () => Promise<T>): Promise<T> {
    const job = work();
    this.running.add(job);
    void job.catch(() => undefined).finally(() => this.running.delete(job));
    return job;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/**
 * First step of the worker's shutdown, before anything closes (Nest would close the subscriber
 * queues, the HTTP agent and the database alongside BullMQ's workers, under jobs still running):
 * take no new job, let the active ones finish for up to SHUTDOWN_TIMEOUT_MS, then close the
 * workers. A job still running then is left to BullMQ, which hands it to another worker once its
 * lock expires (at least once, as after a crash).
 */
@Injectable()
export class WorkerDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerDrain.name);
  private readonly workers: Array<() => Worker> = [];

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: ActiveJobs,
  ) {}

  /** Processors register their worker (it exists only once Nest's BullMQ explorer has run). */
  register(worker: () => Worker): void {
    this.workers.push(worker);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const workers = this.workers.map((worker) => worker());
    const timeoutMs = this.config.env.SHUTDOWN_TIMEOUT_MS;
    const started = Date.now();
    // pause(true): no new job, without BullMQ's own wait (which reconnects Redis afterwards).
    await Promise.all(workers.map((worker) => worker.pause(true)));
    const drained = await withTimeout(
      this.jobs.idle().then(() => true),
      timeoutMs,
      () => false,
    );
    if (drained) this.logger.log(`active jobs finished in ${Date.now() - started} ms`);
    else this.logger.warn(`jobs still active after ${timeoutMs} ms are left to be retried`);
    // Graceful close when nothing runs (the last completions reach Redis); forced past the bound.
    await Promise.all(workers.map((worker) => worker.close(!drained).catch(() => undefined)));
  }
}
