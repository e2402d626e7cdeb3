import type { Cluster } from 'ioredis';
import { redisHashTag } from './redis-hash-tag';
import type { VerificationEvent } from './verification-event';
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from 'bullmq';
import { InvalidVerificationEventError, parseVerificationEvent } from './verification-event.schema';

export interface VerificationEventContext {
  /** The BullMQ job; its `data` is the unvalidated payload, use the `event` argument instead. */
  job: Job<unknown, void, string>;
  /** True for an operator's explicit replay (job id `<eventId>:replay:<n>`). */
  isReplay: boolean;
  /**
   * True for a stale status event: older (by occurredAt) than the status its verification already
   * holds, so it changed nothing. Only subscribers whose filter says `includeStale: true` get them.
   */
  isStale: boolean;
  /** 1 on the first try, 2 on the first retry, and so on. */
  attempt: number;
}

export type VerificationEventHandler = (event: VerificationEvent, context: VerificationEventContext) => Promise<void> | void;

export interface ConsumeVerificationEventsOptions {
  /** The subscriber's queue name, as configured in the gateway (e.g. 'kyc-billing'). */
  queue: string;
  /**
   * Redis URL (`redis://` / `rediss://`), BullMQ connection options, or an ioredis instance: a
   * `Cluster` when the gateway runs on a Redis Cluster (with `redisOptions.maxRetriesPerRequest: null`).
   */
  connection: ConnectionOptions | string;
  /** The gateway's QUEUE_PREFIX. Default 'kyc'; on a Redis Cluster it has a hash tag, e.g. '{kyc}'. */
  prefix?: string;
  /** Jobs processed in parallel by this worker. Default 1 (BullMQ's default). */
  concurrency?: number;
  /** Throw (or reject) to have BullMQ retry the job per its attempts; delivery is at least once. */
  handler: VerificationEventHandler;
}

/**
 * Starts a BullMQ worker on a subscriber queue of the gateway and hands each event, validated and
 * typed, to `handler`. Returns the worker: call `close()` on shutdown.
 */
export function consumeVerificationEvents(options: ConsumeVerificationEventsOptions): Worker<unknown, void, string> {
  const { queue, handler } = options;
  const prefix = options.prefix ?? 'kyc';
  if (isCluster(options.connection)) checkClusterConnection(options.connection, prefix);
  // BullMQ's blocking connection must not give up on a command, or the worker stops on a Redis blip.
  const connection: ConnectionOptions = typeof options.connection === 'string' ? { url: options.connection, maxRetriesPerRequest: null } : options.connection;

  const worker = new Worker<unknown, void, string>(
    queue,
    async (job) => {
      let event: VerificationEvent;
      try {
        event = parseVerificationEvent(job.data);
      } catch (error) {
        // A malformed payload stays malformed: retrying it would only delay the dead letter.
        if (error instanceof InvalidVerificationEventError) throw new UnrecoverableError(error.message);
        throw error;
      }
      const isReplay = job.id !== undefined && job.id.startsWith(`${event.id}:replay:`);
      await handler(event, { job, isReplay, isStale: event.verification?.stale === true, attempt: job.attemptsMade + 1 });
    },
    { connection, prefix, concurrency: options.concurrency ?? 1 },
  );
  // An EventEmitter 'error' without a listener throws and would crash the service; the worker
  // reconnects by itself, so a log line is all that is needed.
  worker.on('error', (error) => console.error(`[kyc-consumer] queue ${queue}: ${error.message}`));
  return worker;
}

function isCluster(connection: ConnectionOptions | string): connection is Cluster {
  return typeof connection === 'object' && (connection as { isCluster?: unknown }).isCluster === true;
}

/** What BullMQ would refuse too, later and in less telling words (a CROSSSLOT error on its first script, a note on maxRetriesPerRequest). */
function checkClusterConnection(cluster: Cluster, prefix: string): void {
  if (redisHashTag(prefix) === undefined) {
    throw new Error(`prefix '${prefix}' has no hash tag: on a Redis Cluster give the gateway's QUEUE_PREFIX, which has one (e.g. '{kyc}')`);
  }
  if (cluster.options.redisOptions?.maxRetriesPerRequest !== null) {
    throw new Error('a Cluster connection needs redisOptions: { maxRetriesPerRequest: null } (BullMQ workers block on it)');
  }
}
