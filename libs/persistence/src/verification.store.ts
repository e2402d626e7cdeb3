import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FINAL_STATUSES, SecretBox, type VerificationStatus, type VerificationSubject } from '@kyc/core';
import { EventEntity, VerificationEntity } from './entities';
import { verificationSealContext } from './verification.ledger';

/** Filters of the admin verification list; every one given must match. */
export interface VerificationSearch {
  provider?: string;
  connection?: string;
  status?: string;
  /** Matched through the blind indexes: the clear values are never stored. */
  applicantId?: string;
  externalUserId?: string;
  verificationId?: string;
  /** updatedAt >= updatedFrom */
  updatedFrom?: Date;
  /** updatedAt < updatedTo */
  updatedTo?: Date;
  /** A non-final status held since at least this many seconds (vendor time). */
  stuckForSeconds?: number;
}

/** A verification as read from the store, its subject opened. */
export interface VerificationView {
  id: string;
  provider: string;
  connection: string;
  subject: VerificationSubject;
  status: VerificationStatus | null;
  /** Vendor time of the status event applied last. */
  statusAt: string | null;
  /** Vendor time since which the status has had its current value. */
  statusSince: string | null;
  /** Events taken into account. */
  events: number;
  createdAt: string;
  updatedAt: string;
}

/** One event of a verification's history, in vendor-time order. */
export interface TimelineEntry {
  eventId: string;
  type: string;
  status: VerificationStatus | null;
  occurredAt: string;
  receivedAt: string;
  sequence: number;
  stale: boolean;
}

/** Longest timeline returned: a subject has a handful of events; a runaway one must not exhaust memory. */
export const MAX_TIMELINE = 1_000;

/** Reads of the verification state the VerificationLedger writes. */
@Injectable()
export class VerificationStore {
  constructor(
    @InjectRepository(VerificationEntity) private readonly verifications: Repository<VerificationEntity>,
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    private readonly box: SecretBox,
  ) {}

  /** Verifications matching `search`, newest first, older than the verification `before` (keyset pagination on UUIDv7 ids). */
  async search(search: VerificationSearch, limit: number, before?: string, now = new Date()): Promise<VerificationView[]> {
    const query = this.verifications.createQueryBuilder('verification').orderBy('verification.id', 'DESC').limit(limit);
    if (before !== undefined) query.andWhere('verification.id < :before', { before });
    if (search.provider !== undefined) query.andWhere('verification.provider = :provider', { provider: search.provider });
    if (search.connection !== undefined) query.andWhere('verification.connection = :connection', { connection: search.connection });
    if (search.status !== undefined) query.andWhere('verification.status = :status', { status: search.status });
    for (const [field, column] of [
      ['applicantId', 'applicantRef'],
      ['externalUserId', 'externalUserRef'],
      ['verificationId', 'verificationRef'],
    ] as const) {
      const value = search[field];
      if (value !== undefined) query.andWhere(`verification.${column} IN (:...${field}Refs)`, { [`${field}Refs`]: this.box.blindIndexCandidates(value) });
    }
    // Times are epoch milliseconds (column-types.ts); query-builder parameters skip the transformer.
    if (search.updatedFrom !== undefined) query.andWhere('verification.updatedAt >= :updatedFrom', { updatedFrom: search.updatedFrom.getTime() });
    if (search.updatedTo !== undefined) query.andWhere('verification.updatedAt < :updatedTo', { updatedTo: search.updatedTo.getTime() });
    if (search.stuckForSeconds !== undefined) {
      query
        .andWhere('verification.status IS NOT NULL AND verification.status NOT IN (:...finalStatuses)', { finalStatuses: FINAL_STATUSES })
        .andWhere('verification.statusSince <= :stuckSince', { stuckSince: now.getTime() - search.stuckForSeconds * 1000 });
    }
    return (await query.getMany()).map((row) => this.view(row));
  }

  async findById(id: string): Promise<VerificationView | null> {
    const row = await this.verifications.findOneBy({ id });
    return row ? this.view(row) : null;
  }

  /** The verification's events in vendor-time order (then receipt, then id), at most MAX_TIMELINE. */
  async timeline(id: string): Promise<TimelineEntry[]> {
    const rows = await this.events.find({
      select: { id: true, type: true, status: true, occurredAt: true, receivedAt: true, verificationSequence: true, verificationStale: true },
      where: { verificationId: id },
      order: { occurredAt: 'ASC', receivedAt: 'ASC', id: 'ASC' },
      take: MAX_TIMELINE,
    });
    return rows.map((row) => ({
      eventId: row.id,
      type: row.type,
      status: row.status as VerificationStatus | null,
      occurredAt: row.occurredAt.toISOString(),
      receivedAt: row.receivedAt.toISOString(),
      sequence: row.verificationSequence!,
      stale: row.verificationStale === true,
    }));
  }

  private view(row: VerificationEntity): VerificationView {
    return {
      id: row.id,
      provider: row.provider,
      connection: row.connection,
      subject: this.box.openJson<VerificationSubject>(row.subjectSealed, verificationSealContext(row.id)),
      status: row.status as VerificationStatus | null,
      statusAt: row.statusAt?.toISOString() ?? null,
      statusSince: row.statusSince?.toISOString() ?? null,
      events: row.eventCount,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
