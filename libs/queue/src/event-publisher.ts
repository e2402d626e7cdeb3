import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { MicroBatcher, withTimeout } from '@kyc/core';
import { Queue } from 'bullmq';
import { EVENTS_QUEUE, EventsQueueJobs } from './queue-names';
import { createRedisClient, type RedisClient } from './redis-connection';
import { RedisMonitor } from './redis-monitor';

/** Job options of the events queue: retried by BullMQ, removed once done (the database keeps history). */
export const DISPATCH_JOB_OPTIONS = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: 10_000,
} as const;

/**
 * Hands stored events to the worker. Best effort by design: the event row is the outbox, so
 * anything not added here (Redis down, timeout, too many in flight) is added later by the relay.
 */
@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  static readonly TIMEOUT_MS = 2_000;
  private static readonly MAX_WAITING = 2_000;
  private readonly logger = new Logger(EventPublisher.name);
  private readonly queue: Queue<EventsQueueJobs['dispatch'], void, 'dispatch'>;
  /** Its own producer connection: no offline queue, so an add fails at once while Redis is away. */
  private readonly connection: RedisClient;
  /** Events stored together are added together: one Redis round trip for many. */
  private readonly batches = new MicroBatcher<string, void>(
    async (eventIds) => {
      await this.add(eventIds);
      return eventIds.map(() => undefined);
    },
    { maxBatchSize: 500, maxInFlight: 2 },
  );

  constructor(config: AppConfig, monitor: RedisMonitor) {
    this.connection = createRedisClient(config.env, 'producer');
    this.connection.on('error', () => undefined); // outages are reported once by RedisMonitor
    this.queue = new Queue(EVENTS_QUEUE, { connection: this.connection, prefix: config.env.QUEUE_PREFIX });
    monitor.watch(this.queue);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }

  /** Fire and forget: never throws, never blocks the acknowledgement of a webhook. */
  publish(eventId: string): void {
    // While Redis is slow or away, waiting adds would only pile up: the relay has them all.
    if (this.batches.waiting >= EventPublisher.MAX_WAITING) return;
    void this.batches.submit(eventId).catch((error: Error) => this.logger.debug(`event ${eventId} left to the relay: ${error.message}`));
  }

  /** Dispatch jobs not yet taken by a worker (waiting, paused or delayed). */
  waitingJobs(): Promise<number> {
    return withTimeout(this.queue.getJobCountByTypes('waiting', 'paused', 'delayed', 'prioritized'), EventPublisher.TIMEOUT_MS, noAnswer);
  }

  /**
   * One dispatch job for the lot. Its id names the batch (first event id and size), so the relay
   * adding the same batch twice while the job exists is a no-op; any other overlap is harmless,
   * since dispatching is idempotent.
   */
  async add(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const jobId = eventIds.length === 1 ? eventIds[0] : `${eventIds[0]}+${eventIds.length}`;
    await withTimeout(this.queue.add('dispatch', { eventIds }, { ...DISPATCH_JOB_OPTIONS, jobId }), EventPublisher.TIMEOUT_MS, noAnswer);
  }
}

function noAnswer(): never {
  throw new Error(`queue did not answer within ${EventPublisher.TIMEOUT_MS} ms`);
}
