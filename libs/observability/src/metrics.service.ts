import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '@kyc/config';
import { withTimeout } from '@kyc/core';
import { OutboxQueries } from '@kyc/persistence';
import { createRedisClient, DELIVERIES_QUEUE, EVENTS_QUEUE, type RedisClient, RedisMonitor } from '@kyc/queue';

/** How long a scrape waits for Redis or the database before leaving a gauge out. */
const COLLECT_TIMEOUT_MS = 1_000;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export type DeliveryOutcome = 'succeeded' | 'failed' | 'retrying';

/**
 * The process's Prometheus metrics, in its own registry (several apps in one test process must not
 * collide in prom-client's global one). Counters and histograms are fed by the code paths; queue
 * depths and the relay backlog are read on each scrape.
 */
@Injectable()
export class MetricsService implements OnApplicationShutdown {
  readonly registry = new Registry();

  private readonly webhooksReceived = new Counter({
    name: 'kyc_webhooks_received_total',
    help: 'Webhooks received, by provider and outcome (accepted, duplicate, a refusal reason, storage_unavailable)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly ingressDuration = new Histogram({
    name: 'kyc_ingress_duration_seconds',
    help: 'Time from request to answer of the webhook ingress, by provider',
    labelNames: ['provider'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [this.registry],
  });

  private readonly eventsStored = new Counter({
    name: 'kyc_events_stored_total',
    help: 'New events stored (redeliveries excluded), by provider',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  private readonly staleEvents = new Counter({
    name: 'kyc_stale_events_total',
    help: 'Status events older than the status their verification already held (stored, changed nothing), by provider',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  private readonly deliveries = new Counter({
    name: 'kyc_deliveries_total',
    help: 'Delivery attempts, by subscriber name and outcome (succeeded, retrying, failed = dead-lettered)',
    labelNames: ['subscriber', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly deliveryDuration = new Histogram({
    name: 'kyc_delivery_duration_seconds',
    help: 'Duration of one delivery attempt, by subscriber kind',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  private readonly relayed = new Counter({
    name: 'kyc_relay_requeued_total',
    help: 'Stored events the outbox relay had to queue (the ingress could not)',
    registers: [this.registry],
  });

  private readonly payloadsPurged = new Counter({
    name: 'kyc_payloads_purged_total',
    help: 'Decoded payloads purged by the retention job',
    registers: [this.registry],
  });

  /** Its own fail-fast connection (no offline queue): a scrape during a Redis outage must not pile up commands. */
  private readonly redis: RedisClient;
  private readonly queues: Queue[];

  constructor(config: AppConfig, outbox: OutboxQueries, monitor: RedisMonitor) {
    collectDefaultMetrics({ register: this.registry });
    this.redis = createRedisClient(config.env, 'producer', { lazyConnect: true });
    this.redis.on('error', () => undefined); // outages are reported once by RedisMonitor
    this.queues = [EVENTS_QUEUE, DELIVERIES_QUEUE].map((name) => new Queue(name, { connection: this.redis, prefix: config.env.QUEUE_PREFIX }));
    this.queues.forEach((queue) => monitor.watch(queue));
    const queues = this.queues;

    new Gauge({
      name: 'kyc_queue_jobs',
      help: 'Jobs in the internal queues, by queue and state (absent when Redis does not answer)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async (queue) => {
            const counts = await withTimeout(queue.getJobCounts(...QUEUE_STATES), COLLECT_TIMEOUT_MS, () => undefined).catch(() => undefined);
            for (const state of QUEUE_STATES) if (counts) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }),
        );
      },
    });

    new Gauge({
      name: 'kyc_relay_backlog',
      help: 'Stored events not yet fanned out (absent when the database does not answer)',
      registers: [this.registry],
      async collect() {
        const count = await withTimeout(outbox.countUndispatched(), COLLECT_TIMEOUT_MS, () => undefined).catch(() => undefined);
        // Absent rather than a stale or zero value when unknown (an unlabelled gauge defaults to 0).
        if (count === undefined) this.remove();
        else this.set(count);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  webhookReceived(provider: string, outcome: string, seconds: number): void {
    this.webhooksReceived.inc({ provider, outcome });
    this.ingressDuration.observe({ provider }, seconds);
  }

  staleEvent(provider: string): void {
    this.staleEvents.inc({ provider });
  }

  eventStored(provider: string): void {
    this.eventsStored.inc({ provider });
  }

  deliveryAttempted(subscriber: string, kind: string, outcome: DeliveryOutcome, seconds: number): void {
    this.deliveries.inc({ subscriber, outcome });
    this.deliveryDuration.observe({ kind }, seconds);
  }

  eventsRelayed(count: number): void {
    if (count > 0) this.relayed.inc(count);
  }

  payloadsPurgedCount(count: number): void {
    if (count > 0) this.payloadsPurged.inc(count);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}
