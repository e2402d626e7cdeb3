import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, MoreThan, Repository, SelectQueryBuilder } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { bulkInsert, inOneCommit, insertStatement, jsonRowSource, MAX_ROWS_PER_STATEMENT } from './bulk-insert';
import { runSqlSteps, type SqlSteps } from './sql-steps';
import { DeliveryAttemptEntity, DeliveryEntity, DELIVERIES_UNIQUE_INDEX, DeliveryStatus } from './entities';

export interface AttemptRecord {
  outcome: 'succeeded' | 'failed';
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  attemptedAt: Date;
}

/** A successful hand-over of a batch to a subscriber's queue. */
export interface HandOver {
  attemptedAt: Date;
  durationMs: number;
}

/** A delivery closed by a successful attempt made at `at`. */
function closedBy(delivery: Pick<DeliveryEntity, 'attempts'>, at: Date): Partial<DeliveryEntity> {
  return { status: 'succeeded', attempts: delivery.attempts + 1, nextAttemptAt: null, lastError: null, updatedAt: at, completedAt: at };
}

/** What an attempt decided for the delivery. */
export interface AttemptDecision {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
}

/** Filters of the admin delivery list and bulk retry; every one given must match. */
export interface DeliverySearch {
  status?: DeliveryStatus;
  subscriberId?: string;
  eventId?: string;
  /** createdAt >= from */
  from?: Date;
  /** createdAt < to */
  to?: Date;
  /** Only ids up to this one: fixes "the deliveries matching now" (ids are UUIDv7, time-ordered). */
  upToId?: string;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Deliveries (event × subscriber) and their attempts: the truth the queues are rebuilt from. */
@Injectable()
export class DeliveryStore {
  constructor(
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
    @InjectRepository(DeliveryAttemptEntity) private readonly attempts: Repository<DeliveryAttemptEntity>,
  ) {}

  /** A new pending delivery, not stored yet (recordDispatch / createForEvent store it). */
  newDelivery(eventId: string, subscriberId: string, now = new Date()): DeliveryEntity {
    return this.deliveries.create({
      id: uuidv7(),
      eventId,
      subscriberId,
      status: 'pending',
      attempts: 0,
      replays: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    });
  }

  /**
   * Create one pending delivery per subscriber, idempotently (unique (event, subscriber); a
   * conflicting row is left as it is), and return the delivery of each subscriber as it stands.
   */
  async createForEvent(eventId: string, subscriberIds: string[], now = new Date()): Promise<DeliveryEntity[]> {
    const { stored, existing } = await this.recordDispatch(
      subscriberIds.map((subscriberId) => this.newDelivery(eventId, subscriberId, now)),
      new Map(),
      [],
    );
    return [...stored, ...existing];
  }

  /**
   * Record a dispatch in one commit: the new deliveries (those in `handedOver` already succeeded,
   * with their attempt), and the events as dispatched. A delivery whose (event, subscriber) is
   * already stored (a dispatch run twice) is left as it stands, with no new attempt, and returned
   * in `existing`.
   */
  async recordDispatch(deliveries: DeliveryEntity[], handedOver: Map<string, HandOver>, dispatchedEventIds: string[]): Promise<{ stored: DeliveryEntity[]; existing: DeliveryEntity[] }> {
    const rows = deliveries.map((delivery) => {
      const handOver = handedOver.get(delivery.id);
      return this.deliveries.create(handOver ? { ...delivery, ...closedBy(delivery, handOver.attemptedAt) } : delivery);
    });
    const attempts = rows.filter((row) => handedOver.has(row.id)).map((row) => this.succeededAttempt(row, 0, handedOver.get(row.id)!));
    const connection = this.deliveries.manager.connection;
    const inserted =
      connection.options.type === 'postgres'
        ? await this.recordInOneStatement(rows, attempts, dispatchedEventIds)
        : await runSqlSteps(connection, () => this.recordSteps(rows, attempts, dispatchedEventIds));
    const stored = rows.filter((row) => inserted.has(row.id));
    const conflicting = rows.filter((row) => !inserted.has(row.id));
    return { stored, existing: conflicting.length === 0 ? [] : await this.storedFor(conflicting) };
  }

  /**
   * PostgreSQL: the three writes as one statement (data-modifying CTEs), so one round trip and one
   * commit instead of five round trips. Returns the ids of the deliveries inserted.
   */
  private async recordInOneStatement(rows: DeliveryEntity[], attempts: DeliveryAttemptEntity[], dispatchedEventIds: string[]): Promise<Set<string>> {
    const deliveriesSource = jsonRowSource(this.deliveries, rows, '$1', 'd');
    const attemptsSource = jsonRowSource(this.attempts, attempts, '$2', 'a');
    const inserted: Array<{ id: string }> = await this.deliveries.query(
      `WITH inserted AS (INSERT INTO deliveries (${deliveriesSource.columns}) ${deliveriesSource.select} ON CONFLICT (event_id, subscriber_id) DO NOTHING RETURNING id), ` +
        `attempts AS (INSERT INTO delivery_attempts (${attemptsSource.columns}) ${attemptsSource.select} WHERE a.delivery_id IN (SELECT id FROM inserted)), ` +
        // By primary key alone, as markEventsDispatched (the partial index of undispatched events is slower).
        'dispatched AS (UPDATE events SET dispatched_at = COALESCE(dispatched_at, $3) WHERE id = ANY($4::varchar[])) ' +
        'SELECT id FROM inserted',
      [deliveriesSource.json, attemptsSource.json, Date.now(), dispatchedEventIds],
    );
    return new Set(inserted.map((row) => row.id));
  }

  /** SQLite: the same writes in one transaction (one commit, where each statement alone was one). */
  private *recordSteps(rows: DeliveryEntity[], attempts: DeliveryAttemptEntity[], dispatchedEventIds: string[]): SqlSteps<Set<string>> {
    const inserted = new Set<string>();
    for (const chunk of chunks(rows, MAX_ROWS_PER_STATEMENT)) {
      for (const row of yield insertStatement(this.deliveries, chunk, { skipConflictsOn: DELIVERIES_UNIQUE_INDEX })) inserted.add(String(row.id));
    }
    for (const chunk of chunks(
      attempts.filter((attempt) => inserted.has(attempt.deliveryId)),
      MAX_ROWS_PER_STATEMENT,
    )) {
      yield insertStatement(this.attempts, chunk);
    }
    const at = Date.now();
    for (const chunk of chunks(dispatchedEventIds, MAX_ROWS_PER_STATEMENT)) {
      yield { sql: `UPDATE events SET dispatched_at = COALESCE(dispatched_at, ?) WHERE id IN (${chunk.map(() => '?').join(', ')})`, params: [at, ...chunk] };
    }
    return inserted;
  }

  /** The stored deliveries of these (event, subscriber) pairs. */
  private async storedFor(pairs: DeliveryEntity[]): Promise<DeliveryEntity[]> {
    const wanted = new Set(pairs.map((row) => `${row.eventId}/${row.subscriberId}`));
    const existing: DeliveryEntity[] = [];
    for (const chunk of chunks([...new Set(pairs.map((row) => row.eventId))], MAX_ROWS_PER_STATEMENT)) {
      existing.push(...(await this.deliveries.find({ where: { eventId: In(chunk) } })));
    }
    return existing.filter((row) => wanted.has(`${row.eventId}/${row.subscriberId}`));
  }

  /**
   * Record one successful attempt of each delivery and close it, with recordAttempt's optimistic
   * check (a delivery another attempt has moved on is left alone), in one commit: the bulk
   * path of queue subscribers for deliveries already stored.
   */
  async recordDelivered(deliveries: DeliveryEntity[], handOver: HandOver): Promise<void> {
    const rounds = new Map<string, DeliveryEntity[]>();
    for (const delivery of deliveries) {
      const key = `${delivery.attempts}:${delivery.replays}`;
      rounds.set(key, [...(rounds.get(key) ?? []), delivery]);
    }
    await inOneCommit(this.deliveries.manager, async (manager) => {
      await bulkInsert(
        manager.getRepository(DeliveryAttemptEntity),
        deliveries.map((delivery) => this.succeededAttempt(delivery, delivery.attempts, handOver)),
      );
      for (const round of rounds.values()) {
        const { attempts: made, replays } = round[0];
        for (const chunk of chunks(round, MAX_ROWS_PER_STATEMENT)) {
          await manager.update(DeliveryEntity, { id: In(chunk.map((delivery) => delivery.id)), status: 'pending', attempts: made, replays }, closedBy(round[0], handOver.attemptedAt));
        }
      }
    });
  }

  private succeededAttempt(delivery: DeliveryEntity, attemptsBefore: number, handOver: HandOver): DeliveryAttemptEntity {
    return this.attempts.create({
      id: uuidv7(),
      deliveryId: delivery.id,
      attemptNumber: attemptsBefore + 1,
      attemptedAt: handOver.attemptedAt,
      outcome: 'succeeded',
      httpStatus: null,
      error: null,
      durationMs: Math.round(handOver.durationMs),
    });
  }

  findById(id: string): Promise<DeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  /**
   * Record an attempt (a fact, always kept), then move the delivery on, but only if nobody else
   * has since (optimistic check on attempts and replays). Returns whether this attempt won.
   */
  async recordAttempt(delivery: DeliveryEntity, attempt: AttemptRecord, decision: AttemptDecision): Promise<boolean> {
    await this.attempts.insert({
      id: uuidv7(),
      deliveryId: delivery.id,
      attemptNumber: delivery.attempts + 1,
      attemptedAt: attempt.attemptedAt,
      outcome: attempt.outcome,
      httpStatus: attempt.httpStatus,
      error: attempt.error?.slice(0, 500) ?? null,
      durationMs: Math.round(attempt.durationMs),
    });
    const now = new Date();
    const result = await this.deliveries.update(
      { id: delivery.id, status: 'pending', attempts: delivery.attempts, replays: delivery.replays },
      {
        status: decision.status,
        attempts: delivery.attempts + 1,
        nextAttemptAt: decision.nextAttemptAt,
        lastError: attempt.outcome === 'failed' ? (attempt.error?.slice(0, 500) ?? null) : null,
        updatedAt: now,
        completedAt: decision.status === 'pending' ? null : now,
      },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Close a delivery that can never be attempted (its subscriber is gone). */
  async abandon(delivery: DeliveryEntity, reason: string): Promise<void> {
    const now = new Date();
    await this.deliveries.update(
      { id: delivery.id, status: 'pending', replays: delivery.replays },
      { status: 'failed', lastError: reason.slice(0, 500), nextAttemptAt: null, updatedAt: now, completedAt: now },
    );
  }

  /**
   * Deliver again on demand (replay, or retry of a failed delivery): a new round with its own
   * attempts, whatever the status. Returns the delivery as it now stands.
   */
  async restart(id: string, now = new Date()): Promise<DeliveryEntity | null> {
    const delivery = await this.deliveries.findOneBy({ id });
    if (!delivery) return null;
    await this.deliveries.update(
      { id, replays: delivery.replays },
      { status: 'pending', attempts: 0, replays: delivery.replays + 1, nextAttemptAt: now, lastError: null, updatedAt: now, completedAt: null },
    );
    return this.deliveries.findOneBy({ id });
  }

  /**
   * Pending deliveries due by `dueBy` of the given subscribers, oldest first, after the delivery
   * `after` (for the reconciler, which walks them page by page).
   */
  findDue(subscriberIds: string[], dueBy: Date, limit: number, after?: string): Promise<DeliveryEntity[]> {
    if (subscriberIds.length === 0) return Promise.resolve([]);
    return this.deliveries.find({
      where: { status: 'pending', subscriberId: In(subscriberIds), nextAttemptAt: LessThanOrEqual(dueBy), ...(after !== undefined ? { id: MoreThan(after) } : {}) },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  attemptsOf(deliveryId: string): Promise<DeliveryAttemptEntity[]> {
    return this.attempts.find({ where: { deliveryId }, order: { attemptedAt: 'ASC' } });
  }

  /** Every delivery of an event, oldest first. */
  forEvent(eventId: string): Promise<DeliveryEntity[]> {
    return this.deliveries.find({ where: { eventId }, order: { id: 'ASC' } });
  }

  /** Attempts of several deliveries, in the order they were made (all rounds). */
  attemptsOfDeliveries(deliveryIds: string[]): Promise<DeliveryAttemptEntity[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.attempts.find({ where: { deliveryId: In(deliveryIds) }, order: { attemptedAt: 'ASC', id: 'ASC' } });
  }

  /** Deliveries matching `search`, newest first (UUIDv7 ids), older than the delivery `before` (keyset pagination). */
  search(search: DeliverySearch, limit: number, before?: string): Promise<DeliveryEntity[]> {
    const query = this.matching(search).orderBy('delivery.id', 'DESC').limit(limit);
    if (before !== undefined) query.andWhere('delivery.id < :before', { before });
    return query.getMany();
  }

  countMatching(search: DeliverySearch): Promise<number> {
    return this.matching(search).getCount();
  }

  /** Ids of deliveries matching `search`, oldest first, after the delivery `after`: walks a set in batches. */
  async idsOldestFirst(search: DeliverySearch, limit: number, after?: string): Promise<string[]> {
    const query = this.matching(search).select('delivery.id', 'id').orderBy('delivery.id', 'ASC').limit(limit);
    if (after !== undefined) query.andWhere('delivery.id > :after', { after });
    return (await query.getRawMany<{ id: string }>()).map((row) => row.id);
  }

  private matching(search: DeliverySearch): SelectQueryBuilder<DeliveryEntity> {
    const query = this.deliveries.createQueryBuilder('delivery');
    if (search.status !== undefined) query.andWhere('delivery.status = :status', { status: search.status });
    if (search.subscriberId !== undefined) query.andWhere('delivery.subscriberId = :subscriberId', { subscriberId: search.subscriberId });
    if (search.eventId !== undefined) query.andWhere('delivery.eventId = :eventId', { eventId: search.eventId });
    // Times are epoch milliseconds (column-types.ts); query-builder parameters skip the transformer.
    if (search.from !== undefined) query.andWhere('delivery.createdAt >= :from', { from: search.from.getTime() });
    if (search.to !== undefined) query.andWhere('delivery.createdAt < :to', { to: search.to.getTime() });
    if (search.upToId !== undefined) query.andWhere('delivery.id <= :upToId', { upToId: search.upToId });
    return query;
  }
}
