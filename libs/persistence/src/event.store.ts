import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Not, Repository, In } from 'typeorm';
import { markEventsDispatched } from './events-by-id';
import { AppConfig } from '@kyc/config';
import { MicroBatcher, SecretBox, type SealContext, type VerificationEvent, type VerificationStatus } from '@kyc/core';
import { EventEntity, EVENTS_DEDUP_INDEX } from './entities';
import { bulkInsert, MAX_ROWS_PER_STATEMENT } from './bulk-insert';
import { isUniqueViolation, StorageUnavailableError } from './storage-errors';

export interface RecordResult {
  /** The stored event's id: the new one, or the first one's for a redelivery. */
  eventId: string;
  duplicate: boolean;
}

/** Filters of the admin event list; every one given must match. */
export interface EventSearch {
  provider?: string;
  connection?: string;
  type?: string;
  status?: string;
  /** Matched through the blind index: the clear value is never stored. */
  applicantId?: string;
  externalUserId?: string;
  /** Through the event's verification (events the worker has taken in). */
  verificationId?: string;
  /** receivedAt >= from */
  from?: Date;
  /** receivedAt < to */
  to?: Date;
}

/** Where an event's sealed values live: a value copied to another event or column does not open. */
export const eventSealContext = {
  event: (rowId: string): SealContext => ({ table: 'events', column: 'event_sealed', rowId }),
  payload: (rowId: string): SealContext => ({ table: 'events', column: 'payload_sealed', rowId }),
};

/** The columns a VerificationEvent is read from: the sealed event and its verification block. */
const EVENT_VIEW = {
  id: true,
  eventSealed: true,
  verificationId: true,
  verificationSequence: true,
  verificationStatus: true,
  verificationPreviousStatus: true,
  verificationStale: true,
} as const;
type EventView = Pick<EventEntity, keyof typeof EVENT_VIEW>;

/** What became of one row of a batched INSERT (not an Error union: driver errors may come from another realm). */
type RowOutcome = 'inserted' | 'duplicate' | { failed: unknown };

/** Durable store of accepted events, and the outbox the relay drains. */
@Injectable()
export class EventStore {
  /** Concurrent webhooks share one INSERT, hence one commit (one fsync) for many. */
  private readonly inserts: MicroBatcher<EventEntity, RowOutcome>;

  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    private readonly box: SecretBox,
    config: AppConfig,
  ) {
    // SQLite has one writer: a second write in flight would only wait for the first.
    const maxInFlight = events.manager.connection.options.type === 'postgres' ? 2 : 1;
    // Bounded: while the database hangs, webhooks past the bound get 503 at once instead of piling up in memory.
    const maxWaiting = config.env.DATABASE_MAX_PENDING_WRITES;
    this.inserts = new MicroBatcher((rows) => this.insertBatch(rows), { maxBatchSize: MAX_ROWS_PER_STATEMENT, maxInFlight, maxWaiting });
  }

  /**
   * Store an event once per (provider, connection, providerEventId). A single row: the event and
   * its outbox marker land atomically, and the unique index catches concurrent redeliveries.
   * Resolves once the row is committed. Throws StorageUnavailableError for anything but a dedup
   * conflict, at once when DATABASE_MAX_PENDING_WRITES rows already wait.
   */
  async record(event: VerificationEvent, payload: Record<string, unknown>): Promise<RecordResult> {
    let outcome: RowOutcome;
    try {
      outcome = await this.inserts.submit(this.toRow(event, payload));
    } catch (error) {
      outcome = { failed: error };
    }
    if (typeof outcome === 'object') throw new StorageUnavailableError(outcome.failed);
    if (outcome === 'inserted') return { eventId: event.id, duplicate: false };
    try {
      const first = await this.events.findOne({
        select: { id: true },
        where: { provider: event.provider, connection: event.connection, providerEventId: event.providerEventId },
      });
      if (!first) throw new Error('dedup conflict without a stored event');
      return { eventId: first.id, duplicate: true };
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
  }

  async findById(id: string): Promise<VerificationEvent | null> {
    const row = await this.events.findOne({ select: EVENT_VIEW, where: { id } });
    return row ? this.openEvent(row) : null;
  }

  async findByIds(ids: string[]): Promise<VerificationEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.events.find({ select: EVENT_VIEW, where: { id: In(ids) } });
    return rows.map((row) => this.openEvent(row));
  }

  /** Of `ids`, the events not yet dispatched (the others are done: a relay or retry added them twice). */
  async findUndispatchedByIds(ids: string[]): Promise<VerificationEvent[]> {
    if (ids.length === 0) return [];
    // By primary key alone, filtered here: `dispatched_at IS NULL` in the query lets PostgreSQL pick
    // the partial index of undispatched events and scan its dead entries (see markEventsDispatched).
    const rows = await this.events.find({ select: { ...EVENT_VIEW, dispatchedAt: true }, where: { id: In(ids) } });
    return rows.filter((row) => row.dispatchedAt === null).map((row) => this.openEvent(row));
  }

  /** The decoded vendor payload, while retention keeps it. */
  async findPayload(id: string): Promise<Record<string, unknown> | null> {
    const row = await this.events.findOne({ select: { id: true, payloadSealed: true }, where: { id } });
    return row?.payloadSealed ? this.box.openJson<Record<string, unknown>>(row.payloadSealed, eventSealContext.payload(row.id)) : null;
  }

  /**
   * Events matching `search`, newest first, older than the event `before` (keyset pagination:
   * ids are UUIDv7, so events stored meanwhile sort above the cursor and never shift a page).
   * Only the sealed VerificationEvent is read, never the vendor payload.
   */
  async search(search: EventSearch, limit: number, before?: string): Promise<VerificationEvent[]> {
    const query = this.events
      .createQueryBuilder('event')
      .select(Object.keys(EVENT_VIEW).map((column) => `event.${column}`))
      .orderBy('event.id', 'DESC')
      .limit(limit);
    if (before !== undefined) query.andWhere('event.id < :before', { before });
    if (search.provider !== undefined) query.andWhere('event.provider = :provider', { provider: search.provider });
    if (search.connection !== undefined) query.andWhere('event.connection = :connection', { connection: search.connection });
    if (search.type !== undefined) query.andWhere('event.type = :type', { type: search.type });
    if (search.status !== undefined) query.andWhere('event.status = :status', { status: search.status });
    // Any index the id may be stored under (older keys, rows not re-sealed yet): see blindIndexCandidates.
    if (search.applicantId !== undefined) query.andWhere('event.applicantRef IN (:...applicantRefs)', { applicantRefs: this.box.blindIndexCandidates(search.applicantId) });
    if (search.externalUserId !== undefined) query.andWhere('event.externalUserRef IN (:...externalUserRefs)', { externalUserRefs: this.box.blindIndexCandidates(search.externalUserId) });
    if (search.verificationId !== undefined) {
      query.andWhere('event.verificationId IN (SELECT id FROM verifications WHERE verification_ref IN (:...verificationRefs))', {
        verificationRefs: this.box.blindIndexCandidates(search.verificationId),
      });
    }
    // Times are epoch milliseconds (column-types.ts); query-builder parameters skip the transformer.
    if (search.from !== undefined) query.andWhere('event.receivedAt >= :from', { from: search.from.getTime() });
    if (search.to !== undefined) query.andWhere('event.receivedAt < :to', { to: search.to.getTime() });
    const rows = await query.getMany();
    return rows.map((row) => this.openEvent(row));
  }

  /** Outbox: ids of events not yet dispatched, received before `before`, oldest first. */
  async findUndispatched(before: Date, limit: number): Promise<string[]> {
    const rows = await this.events.find({
      select: { id: true },
      where: { dispatchedAt: IsNull(), receivedAt: LessThan(before) },
      order: { receivedAt: 'ASC' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /**
   * Events dispatched without a verification (stored before the verification state existed),
   * oldest vendor time first: the backfill builds their verifications in that order.
   */
  async findDispatchedUnapplied(limit: number): Promise<VerificationEvent[]> {
    const rows = await this.events.find({
      select: EVENT_VIEW,
      where: { verificationAppliedAt: IsNull(), dispatchedAt: Not(IsNull()) },
      order: { occurredAt: 'ASC', id: 'ASC' },
      take: limit,
    });
    return rows.map((row) => this.openEvent(row));
  }

  async markDispatched(ids: string[], at = new Date()): Promise<void> {
    if (ids.length === 0) return;
    await markEventsDispatched(this.events.manager, ids, at);
  }

  /**
   * One multi-row INSERT that skips rows whose dedup key is stored (by an earlier webhook or an
   * earlier row of the same batch). If the statement fails, each row is written alone, so that
   * one row the database refuses fails only its own webhook.
   */
  private async insertBatch(rows: EventEntity[]): Promise<RowOutcome[]> {
    try {
      const inserted = await bulkInsert(this.events, rows, { skipConflictsOn: EVENTS_DEDUP_INDEX });
      return rows.map((row) => (inserted.has(row.id) ? 'inserted' : 'duplicate'));
    } catch (error) {
      if (rows.length === 1) return [isUniqueViolation(error) ? 'duplicate' : { failed: error }];
      return Promise.all(rows.map(async (row) => (await this.insertBatch([row]))[0]));
    }
  }

  private openEvent(row: EventView): VerificationEvent {
    const event = this.box.openJson<VerificationEvent>(row.eventSealed, eventSealContext.event(row.id));
    // Sealed at the ingress, before the worker applied it: the block lives in its own columns.
    const verification =
      row.verificationId === null
        ? null
        : {
            id: row.verificationId,
            sequence: row.verificationSequence!,
            status: row.verificationStatus as VerificationStatus | null,
            previousStatus: row.verificationPreviousStatus as VerificationStatus | null,
            stale: row.verificationStale === true,
          };
    return { ...event, verification };
  }

  /** Blind index of a subject id, for searching without storing it in clear. */
  subjectRef(value: string | undefined): string | null {
    return value ? this.box.blindIndex(value) : null;
  }

  private toRow(event: VerificationEvent, payload: Record<string, unknown>): EventEntity {
    return this.events.create({
      id: event.id,
      provider: event.provider,
      connection: event.connection,
      type: event.type,
      status: event.status,
      providerEventId: event.providerEventId,
      providerEventType: event.providerEventType.slice(0, 200),
      applicantRef: this.subjectRef(event.subject.applicantId),
      externalUserRef: this.subjectRef(event.subject.externalUserId),
      occurredAt: new Date(event.occurredAt),
      receivedAt: new Date(event.receivedAt),
      eventSealed: this.box.sealJson(event, eventSealContext.event(event.id)),
      payloadSealed: this.box.sealJson(payload, eventSealContext.payload(event.id)),
      dispatchedAt: null,
    });
  }
}
