import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '@kyc/config';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { DispatchEventProcessor } from './dispatch/dispatch-event.processor';

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

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: DeliveryProcessor,
    private readonly dispatch: DispatchEventProcessor,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const workers: Worker[] = [this.deliveries.worker, this.dispatch.worker];
    const timeoutMs = this.config.env.SHUTDOWN_TIMEOUT_MS;
    const started = Date.now();
    // pause(): no new jobs; resolves when the active ones are done.
    const drained = await Promise.race([Promise.all(workers.map((worker) => worker.pause())).then(() => true), sleep(timeoutMs).then(() => false)]);
    if (drained) this.logger.log(`active jobs finished in ${Date.now() - started} ms`);
    else this.logger.warn(`jobs still active after ${timeoutMs} ms are left to be retried`);
    // Nothing left to wait for (or no more waiting): close without waiting again.
    await Promise.all(workers.map((worker) => worker.close(true).catch(() => undefined)));
  }
}
