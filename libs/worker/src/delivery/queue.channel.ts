import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '@kyc/config';
import type { VerificationEvent } from '@kyc/core';
import type { DeliveryEntity, Subscriber } from '@kyc/persistence';
import { createRedisClient, isReservedQueueName, type RedisClient, RedisMonitor, ReplicaWait, SUBSCRIBER_JOB_OPTIONS } from '@kyc/queue';
import type { AttemptOutcome, DeliveryChannel } from './delivery-channel';

/**
 * `kind: queue`: add the event to the subscriber's BullMQ queue, job name = type, data = event,
 * job id = event id (`<eventId>:replay:<n>` for an operator's replay).
 */
@Injectable()
export class QueueChannel implements DeliveryChannel, OnApplicationShutdown {
  private readonly queues = new Map<string, Queue>();
  /** One connection for every subscriber queue: a connection each would grow with the subscribers. */
  private readonly connection: RedisClient;
  /** Jobs on a subscriber's queue are the one copy (the database only says they were added): on a cluster, a replica must have them too. */
  private readonly replicated: ReplicaWait;

  constructor(
    private readonly config: AppConfig,
    private readonly monitor: RedisMonitor,
  ) {
    this.connection = createRedisClient(config.env, 'producer');
    this.connection.on('error', (error: Error) => monitor.report(error));
    this.replicated = new ReplicaWait(this.connection, config.env.QUEUE_PREFIX);
  }

  async deliver(subscriber: Subscriber, event: VerificationEvent, delivery: DeliveryEntity): Promise<AttemptOutcome> {
    await this.deliverMany(subscriber, [{ event, delivery }]);
    return { ok: true };
  }

  /** Several events to one subscriber's queue in one round trip. Throws if Redis did not take them. */
  async deliverMany(subscriber: Subscriber, items: Array<{ event: VerificationEvent; delivery: Pick<DeliveryEntity, 'replays'> }>): Promise<void> {
    if (subscriber.kind !== 'queue') throw new Error(`subscriber ${subscriber.name} is not a queue subscriber`);
    // The admin API refuses these names; a subscriber stored before it did must not feed the gateway's own queues.
    if (isReservedQueueName(subscriber.queue)) throw new Error(`queue ${subscriber.queue} is one of the gateway's own queues: rename the subscriber's queue`);
    await this.queue(subscriber.queue).addBulk(
      items.map(({ event, delivery }) => ({
        name: event.type,
        data: event,
        opts: { ...SUBSCRIBER_JOB_OPTIONS, jobId: delivery.replays > 0 ? `${event.id}:replay:${delivery.replays}` : event.id },
      })),
    );
    // Throws when the master died before it could confirm: the delivery is then retried (the job
    // id makes a second add a no-op if the first one survived).
    await this.replicated.settle();
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.config.env.QUEUE_PREFIX });
      this.monitor.watch(queue);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
    // A connection passed in is the caller's to close.
    this.connection.disconnect();
  }
}
