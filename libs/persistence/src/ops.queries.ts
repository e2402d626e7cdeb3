import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, IsNull, Repository } from 'typeorm';
import { FINAL_STATUSES } from '@kyc/core';
import { ConnectionEntity, InboundRefusalEntity, SubscriberEntity, VerificationEntity } from './entities';
import { OverviewQueries, toNumber } from './overview.queries';

/** A connection as the operational checks see it: its alert options are in `options`. */
export interface MonitoredConnection {
  provider: string;
  name: string;
  options: Record<string, unknown>;
  createdAt: Date;
  /** receivedAt of its newest webhook (operational events left out); null when it has none. */
  lastWebhookAt: Date | null;
}

export interface RefusalStreak {
  /** Refusals since the streak began. */
  count: number;
  /** The most frequent reason among them. */
  reason: string;
  /** The first refusal's time. */
  firstAt: Date;
}

export interface StuckVerification {
  id: string;
  status: string;
  statusSince: Date;
}

/** Refusals that count toward a streak: a 404 means no such (enabled) connection, which an operator chose. */
const NOT_STREAK_STATUS = 404;

/**
 * What the operational checks read (the worker's OpsMonitor and the metrics on each scrape). Each
 * is bounded by an index: refusals by `ix_inbound_refusals_connection_received_at`, stuck
 * verifications by `ix_verifications_status_since` or `ix_verifications_updated_at`. Times are
 * epoch milliseconds (column-types.ts); query-builder parameters skip the transformer.
 */
@Injectable()
export class OpsQueries {
  constructor(
    @InjectRepository(ConnectionEntity) private readonly connections: Repository<ConnectionEntity>,
    @InjectRepository(InboundRefusalEntity) private readonly refusals: Repository<InboundRefusalEntity>,
    @InjectRepository(VerificationEntity) private readonly verifications: Repository<VerificationEntity>,
    @InjectRepository(SubscriberEntity) private readonly subscribers: Repository<SubscriberEntity>,
    private readonly overview: OverviewQueries,
  ) {}

  /** Enabled connections with their options and last webhook. */
  async enabledConnections(): Promise<MonitoredConnection[]> {
    const [rows, activity] = await Promise.all([
      this.connections.find({ select: { id: true, provider: true, name: true, options: true, createdAt: true }, where: { enabled: true } }),
      this.overview.connectionActivity(),
    ]);
    const lastWebhookAt = new Map(activity.map((connection) => [connection.id, connection.lastWebhookAt]));
    return rows.map((row) => ({ provider: row.provider, name: row.name, options: row.options, createdAt: row.createdAt, lastWebhookAt: lastWebhookAt.get(row.id) ?? null }));
  }

  /**
   * Refusals of a connection received after `after`: those recorded under its name, and those of
   * its provider on the single URL that no connection verified (recorded without one), since the
   * gateway cannot tell which of the provider's connections they were meant for.
   */
  async refusalStreak(provider: string, connection: string, after: Date): Promise<RefusalStreak | null> {
    const query = (named: boolean) =>
      this.refusals
        .createQueryBuilder('refusal')
        .select('refusal.reason', 'reason')
        .addSelect('SUM(refusal.count)', 'total')
        .addSelect('MIN(refusal.receivedAt)', 'first')
        .where('refusal.provider = :provider', { provider })
        .andWhere(named ? 'refusal.connection = :connection' : 'refusal.connection IS NULL', { connection })
        .andWhere('refusal.receivedAt > :after', { after: after.getTime() })
        .andWhere('refusal.statusCode <> :notCounted', { notCounted: NOT_STREAK_STATUS })
        .groupBy('refusal.reason')
        .getRawMany<{ reason: string; total: unknown; first: unknown }>();
    const byReason = new Map<string, { total: number; first: number }>();
    for (const row of [...(await query(true)), ...(await query(false))]) {
      const seen = byReason.get(row.reason) ?? { total: 0, first: Infinity };
      byReason.set(row.reason, { total: seen.total + toNumber(row.total), first: Math.min(seen.first, toNumber(row.first)) });
    }
    if (byReason.size === 0) return null;
    const reasons = [...byReason].sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1));
    return { count: reasons.reduce((sum, [, { total }]) => sum + total, 0), reason: reasons[0][0], firstAt: new Date(Math.min(...reasons.map(([, { first }]) => first))) };
  }

  /**
   * Verifications of a connection in a non-final status since at most `stuckSince` (vendor time),
   * among those whose status began after `sinceAfter` or that changed after `updatedAfter`
   * (an event arriving late can make one stuck at once), oldest first, at most `limit`.
   */
  async stuckVerifications(provider: string, connection: string, range: { stuckSince: Date; sinceAfter: Date; updatedAfter: Date }, limit: number): Promise<StuckVerification[]> {
    const query = (by: 'since' | 'updated') => {
      const builder = this.stuckQuery(provider, connection, range.stuckSince)
        .select(['verification.id', 'verification.status', 'verification.statusSince'])
        .orderBy('verification.statusSince', 'ASC')
        .limit(limit);
      return by === 'since'
        ? builder.andWhere('verification.statusSince > :sinceAfter', { sinceAfter: range.sinceAfter.getTime() }).getMany()
        : builder.andWhere('verification.updatedAt > :updatedAfter', { updatedAfter: range.updatedAfter.getTime() }).getMany();
    };
    const byId = new Map<string, StuckVerification>();
    for (const row of [...(await query('since')), ...(await query('updated'))]) byId.set(row.id, { id: row.id, status: row.status!, statusSince: row.statusSince! });
    return [...byId.values()].sort((a, b) => a.statusSince.getTime() - b.statusSince.getTime()).slice(0, limit);
  }

  /** How many verifications of a connection are in a non-final status since at most `stuckSince`. */
  countStuck(provider: string, connection: string, stuckSince: Date): Promise<number> {
    return this.stuckQuery(provider, connection, stuckSince).getCount();
  }

  /** Subscribers paused by the gateway (auto-pause or 410; not by an operator), and those failing now. */
  async subscriberTrouble(): Promise<{ paused: number; failing: number }> {
    const [paused, failing] = await Promise.all([
      this.subscribers.count({ where: { enabled: false, disabledReason: Not(IsNull()) } }),
      this.subscribers.count({ where: { failingSince: Not(IsNull()) } }),
    ]);
    return { paused, failing };
  }

  private stuckQuery(provider: string, connection: string, stuckSince: Date) {
    return this.verifications
      .createQueryBuilder('verification')
      .where('verification.status IS NOT NULL AND verification.status NOT IN (:...finalStatuses)', { finalStatuses: FINAL_STATUSES })
      .andWhere('verification.statusSince <= :stuckSince', { stuckSince: stuckSince.getTime() })
      .andWhere('verification.provider = :provider AND verification.connection = :connection', { provider, connection });
  }
}
