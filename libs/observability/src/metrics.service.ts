import cluster from 'node:cluster';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '@kyc/config';
import { withTimeout } from '@kyc/core';
import { OpsQueries, OutboxQueries } from '@kyc/persistence';
import { parseAlertOptions } from '@kyc/providers';
import { createRedisClient, DELIVERIES_QUEUE, EVENTS_QUEUE, type RedisClient, RedisMonitor } from '@kyc/queue';
import { answerClusterCollects, scrapeCluster } from './cluster-metrics';

/** How long a scrape waits for Redis or the database before leaving a gauge out. */
const COLLECT_TIMEOUT_MS = 1_000;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/**
 * Gauges read from the database or Redis on scrape: every process of a clustered gateway reads
 * the same value, which summing (prom-client's default across processes) would count N times.
 */
const SHARED_SOURCE = 'first';

export type DeliveryOutcome = 'succeeded' | 'failed' | 'retrying';

/**
 * The process's Prometheus metrics, in its own registry (several apps in one test process must not
 * collide in prom-client's global one). Counters and histograms are fed by the code paths; queue
 * depths and the relay backlog are read on each scrape. In a gateway of several processes
 * (GATEWAY_PROCESSES), `render` returns all of them together (cluster-metrics.ts).
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

  private readonly opsEvents = new Counter({
    name: 'kyc_ops_events_total',
    help: 'Operational events raised (one per episode), by type',
    labelNames: ['type'] as const,
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

  constructor(config: AppConfig, outbox: OutboxQueries, ops: OpsQueries, monitor: RedisMonitor) {
    collectDefaultMetrics({ register: this.registry });
    if (cluster.isWorker) answerClusterCollects(this.registry);
    this.redis = createRedisClient(config.env, 'producer', { lazyConnect: true });
    this.redis.on('error', () => undefined); // outages are reported once by RedisMonitor
    this.queues = [EVENTS_QUEUE, DELIVERIES_QUEUE].map((name) => new Queue(name, { connection: this.redis, prefix: config.env.QUEUE_PREFIX }));
    this.queues.forEach((queue) => monitor.watch(queue));
    const queues = this.queues;

    new Gauge({
      name: 'kyc_queue_jobs',
      aggregator: SHARED_SOURCE,
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
      aggregator: SHARED_SOURCE,
      help: 'Stored events not yet fanned out (absent when the database does not answer)',
      registers: [this.registry],
      async collect() {
        const count = await withTimeout(outbox.countUndispatched(), COLLECT_TIMEOUT_MS, () => undefined).catch(() => undefined);
        // Absent rather than a stale or zero value when unknown (an unlabelled gauge defaults to 0).
        if (count === undefined) this.remove();
        else this.set(count);
      },
    });
    this.registerOpsGauges(ops);
  }

  /**
   * The state behind each operational event, read from the database on each scrape, so that
   * Prometheus can alert on it too (docs/alerting.md) and every process reports the same values.
   */
  private registerOpsGauges(ops: OpsQueries): void {
    const known = <T>(read: Promise<T>) => withTimeout(read, COLLECT_TIMEOUT_MS, () => undefined).catch(() => undefined);
    const connections = () => known(ops.enabledConnections());
    new Gauge({
      name: 'kyc_connection_last_webhook_timestamp_seconds',
      aggregator: SHARED_SOURCE,
      help: "Unix time of each enabled connection's newest webhook (its creation when it has none)",
      labelNames: ['provider', 'connection'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const connection of (await connections()) ?? [])
          this.set({ provider: connection.provider, connection: connection.name }, (connection.lastWebhookAt ?? connection.createdAt).getTime() / 1000);
      },
    });
    new Gauge({
      name: 'kyc_connection_refusal_streak',
      aggregator: SHARED_SOURCE,
      help: 'Refusals of each enabled connection since its newest webhook (ops.connection.refusing at refusalAlertThreshold)',
      labelNames: ['provider', 'connection'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const connection of (await connections()) ?? []) {
          const streak = await known(ops.refusalStreak(connection.provider, connection.name, connection.lastWebhookAt ?? connection.createdAt));
          if (streak !== undefined) this.set({ provider: connection.provider, connection: connection.name }, streak?.count ?? 0);
        }
      },
    });
    new Gauge({
      name: 'kyc_verifications_stuck',
      aggregator: SHARED_SOURCE,
      help: "Verifications in a non-final status for longer than their connection's stuckAfterSeconds (connections that set it)",
      labelNames: ['provider', 'connection'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const now = Date.now();
        for (const connection of (await connections()) ?? []) {
          const { stuckAfterSeconds } = safeAlertOptions(connection.options);
          if (stuckAfterSeconds === 0) continue;
          const count = await known(ops.countStuck(connection.provider, connection.name, new Date(now - stuckAfterSeconds * 1000)));
          if (count !== undefined) this.set({ provider: connection.provider, connection: connection.name }, count);
        }
      },
    });
    new Gauge({
      name: 'kyc_subscribers_unhealthy',
      aggregator: SHARED_SOURCE,
      help: 'Subscribers paused by the gateway (auto-pause or 410) and subscribers failing now, by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const trouble = await known(ops.subscriberTrouble());
        if (trouble) for (const state of ['paused', 'failing'] as const) this.set({ state }, trouble[state]);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition: of the whole gateway when this is one of its cluster processes. */
  render(): Promise<string> {
    return cluster.isWorker ? scrapeCluster() : this.registry.metrics();
  }

  webhookReceived(provider: string, outcome: string, seconds: number): void {
    this.webhooksReceived.inc({ provider, outcome });
    this.ingressDuration.observe({ provider }, seconds);
  }

  opsEventRaised(type: string): void {
    this.opsEvents.inc({ type });
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

/** Stored options were validated when written; should they no longer parse, the connection sets no alerts. */
function safeAlertOptions(options: Record<string, unknown>): { stuckAfterSeconds: number } {
  try {
    return parseAlertOptions(options);
  } catch {
    return { stuckAfterSeconds: 0 };
  }
}
