import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ConnectionEntity, DeliveryEntity, EventEntity, InboundRefusalEntity, SubscriberEntity } from './entities';

const MINUTE_MS = 60_000;

/** Webhooks of one provider received within one minute; `minute` is epoch ms / 60000, rounded down. */
export interface ProviderMinuteCount {
  provider: string;
  minute: number;
  count: number;
}

export interface RefusalReasonCount {
  reason: string;
  count: number;
}

/** Deliveries still to be made, and those given up on. */
export interface DeliveryBacklog {
  pending: number;
  failed: number;
}

export interface PausedSubscriber {
  id: string;
  name: string;
  /** Null when an operator disabled it. */
  disabledReason: string | null;
  disabledAt: Date | null;
}

export interface ConnectionActivity {
  id: string;
  provider: string;
  name: string;
  enabled: boolean;
  /** receivedAt of its newest stored event; null when it has none. */
  lastWebhookAt: Date | null;
}

/** node-pg returns BIGINT (and COUNT, SUM) as strings, SQLite as numbers. */
export const toNumber = (value: unknown): number => Number(value ?? 0);

/**
 * Aggregates for the operator console's overview, read-only. Each one is bounded by an index on
 * both databases, whatever the size of the tables: a time range (`ix_events_received_at`,
 * `ix_inbound_refusals_received_at`), a status (`ix_deliveries_status_next_attempt`), or one
 * index step per connection (`ix_events_connection_received_at`). Times are epoch milliseconds
 * (column-types.ts); query-builder parameters and raw rows skip the transformer.
 */
@Injectable()
export class OverviewQueries {
  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    @InjectRepository(InboundRefusalEntity) private readonly refusals: Repository<InboundRefusalEntity>,
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
    @InjectRepository(SubscriberEntity) private readonly subscribers: Repository<SubscriberEntity>,
    @InjectRepository(ConnectionEntity) private readonly connections: Repository<ConnectionEntity>,
  ) {}

  /** Webhooks (events but the operational ones) received in [from, to), counted per provider and minute (integer division of the BIGINT on both databases). */
  async webhooksPerMinute(from: Date, to: Date): Promise<ProviderMinuteCount[]> {
    const minute = `event.receivedAt / ${MINUTE_MS}`;
    const rows = await this.events
      .createQueryBuilder('event')
      .select('event.provider', 'provider')
      .addSelect(minute, 'minute')
      .addSelect('COUNT(*)', 'count')
      .where('event.receivedAt >= :from', { from: from.getTime() })
      .andWhere('event.receivedAt < :to', { to: to.getTime() })
      .andWhere("event.type NOT LIKE 'ops.%'")
      .groupBy('event.provider')
      .addGroupBy(minute)
      .getRawMany<{ provider: string; minute: unknown; count: unknown }>();
    return rows.map((row) => ({ provider: row.provider, minute: toNumber(row.minute), count: toNumber(row.count) }));
  }

  /** Refusals received since `since`, per reason (each record stands for `count` refusals), most first. */
  async refusalsByReason(since: Date): Promise<RefusalReasonCount[]> {
    const rows = await this.refusals
      .createQueryBuilder('refusal')
      .select('refusal.reason', 'reason')
      .addSelect('SUM(refusal.count)', 'total')
      .where('refusal.receivedAt >= :since', { since: since.getTime() })
      .groupBy('refusal.reason')
      .getRawMany<{ reason: string; total: unknown }>();
    return rows.map((row) => ({ reason: row.reason, count: toNumber(row.total) })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }

  async deliveryBacklog(): Promise<DeliveryBacklog> {
    const rows = await this.deliveries
      .createQueryBuilder('delivery')
      .select('delivery.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('delivery.status IN (:...statuses)', { statuses: ['pending', 'failed'] })
      .groupBy('delivery.status')
      .getRawMany<{ status: string; count: unknown }>();
    const count = (status: string) => toNumber(rows.find((row) => row.status === status)?.count);
    return { pending: count('pending'), failed: count('failed') };
  }

  /** Disabled subscribers (by delivery or by an operator), by name. */
  async pausedSubscribers(): Promise<PausedSubscriber[]> {
    return this.subscribers.find({
      select: { id: true, name: true, disabledReason: true, disabledAt: true },
      where: { enabled: false },
      order: { name: 'ASC' },
    });
  }

  /**
   * Every connection with its last webhook (operational events about it are not webhooks; they
   * are rare, so skipping them costs a step or two). Events keep the connection's name: a connection deleted
   * and created again under the same name shows the events of the former one.
   *
   * One step down `ix_events_connection_received_at` per connection, whatever the planner's
   * statistics, on both databases: `connection <= name` ordered by (connection, received_at) can
   * only be served by that index, walked backwards from the end of the connection's range; the
   * first row is its newest event, or belongs to a connection named before it when it has none
   * (then null). The plain form, `connection = name ORDER BY received_at DESC LIMIT 1` (or MAX),
   * lets PostgreSQL walk `ix_events_received_at` backwards instead when one connection holds most
   * events: it then reads the whole index for a connection that never received anything (seconds
   * at a million events). A row-value bound `(provider, connection) <= (...)` would do on
   * PostgreSQL, but SQLite bounds only the provider with it.
   */
  async connectionActivity(): Promise<ConnectionActivity[]> {
    const rows: Array<{ id: string; provider: string; name: string; enabled: unknown; last_webhook_at: unknown }> = await this.connections.manager.query(
      `SELECT c.id AS id, c.provider AS provider, c.name AS name, c.enabled AS enabled,
         (SELECT CASE WHEN e.connection = c.name THEN e.received_at END
            FROM events e
           WHERE e.provider = c.provider AND e.connection <= c.name AND e.type NOT LIKE 'ops.%'
           ORDER BY e.connection DESC, e.received_at DESC
           LIMIT 1) AS last_webhook_at
       FROM connections c`,
    );
    return rows.map((row) => ({
      id: row.id,
      provider: row.provider,
      name: row.name,
      // SQLite has no boolean: 1 or 0.
      enabled: row.enabled === true || row.enabled === 1,
      lastWebhookAt: row.last_webhook_at == null ? null : new Date(toNumber(row.last_webhook_at)),
    }));
  }
}
