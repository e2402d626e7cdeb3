import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { decideStatus, SecretBox, vendorTimeOf, subjectKey, type EventVerification, type SealContext, type VerificationEvent, type VerificationStatus, type VerificationSubject } from '@kyc/core';
import { runSqlSteps, type SqlDialect, type SqlRow, type SqlSteps } from './sql-steps';

/** Where a verification's sealed subject lives: a value copied to another row does not open. */
export const verificationSealContext = (rowId: string): SealContext => ({ table: 'verifications', column: 'subject_sealed', rowId });

/** What applying one event did (or had done, when another worker was first). */
export interface AppliedEvent {
  verification: EventVerification | null;
  /** Applied by this call (false: it had been applied before). */
  applied: boolean;
}

/** A verification row as the guard reads and updates it. */
interface HeldRow {
  id: string;
  provider: string;
  connection: string;
  subjectRef: string;
  subjectSealed: string;
  status: VerificationStatus | null;
  statusAt: number | null;
  statusSince: number | null;
  eventCount: number;
}

/** One subject's events in a call, with every blind index its key may be stored under. */
interface SubjectGroup {
  provider: string;
  connection: string;
  field: string;
  value: string;
  candidates: string[];
  events: VerificationEvent[];
}

/** Rows of the multi-row updates, typed (PostgreSQL types a VALUES list of bare parameters as text). */
const EVENT_ROW = '(CAST(? AS varchar), CAST(? AS varchar), CAST(? AS integer), CAST(? AS varchar), CAST(? AS varchar), CAST(? AS boolean))';
const VERIFICATION_ROW =
  '(CAST(? AS varchar), CAST(? AS varchar), CAST(? AS bigint), CAST(? AS bigint), CAST(? AS integer), CAST(? AS text), CAST(? AS varchar), CAST(? AS varchar), CAST(? AS varchar))';

const VERIFICATION_COLUMNS = 'id, provider, connection, subject_ref, subject_sealed, status, status_at, status_since, event_count';

/**
 * Takes events into their subject's verification: the ordering guard of the contract. A call is
 * one transaction that first locks the verification rows of every subject it touches (in id
 * order, new rows inserted in key order, so concurrent calls cannot deadlock), so concurrent
 * workers (or gateways) serialize per subject and every event gets one place in one history; an
 * event applied before (a retried dispatch, another worker) is never applied twice. On
 * PostgreSQL, new subjects are inserted with their events' blocks in one atomic statement before
 * that transaction (none at all when every subject is new).
 */
@Injectable()
export class VerificationLedger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  /**
   * Applies `events` (any mix of subjects) and returns each one's verification block by event id.
   * Within a call, a subject's events are applied in vendor-time order.
   */
  async apply(events: readonly VerificationEvent[], now = new Date()): Promise<Map<string, AppliedEvent>> {
    if (events.length === 0) return new Map();
    return runSqlSteps(this.dataSource, (dialect) => this.applyAll(events, now.getTime(), dialect));
  }

  private *applyAll(events: readonly VerificationEvent[], now: number, dialect: SqlDialect): SqlSteps<Map<string, AppliedEvent>> {
    const results = new Map<string, AppliedEvent>();
    const groups = new Map<string, SubjectGroup>();
    const subjectless: string[] = [];
    for (const event of events) {
      const key = subjectKey(event.subject);
      if (!key) {
        subjectless.push(event.id);
        continue;
      }
      const name = `${event.provider}\u0000${event.connection}\u0000${key.field}\u0000${key.value}`;
      let group = groups.get(name);
      if (!group) {
        // Any key its ref may be stored under (rows not re-indexed yet after a SECRETS_KEY rotation).
        group = { provider: event.provider, connection: event.connection, ...key, candidates: this.box.blindIndexCandidates(`${key.field}:${key.value}`), events: [] };
        groups.set(name, group);
      }
      group.events.push(event);
    }
    if (subjectless.length > 0) {
      yield { sql: `UPDATE events SET verification_applied_at = COALESCE(verification_applied_at, ?) WHERE id IN (${marks(subjectless)})`, params: [now, ...subjectless], standalone: true };
      for (const id of subjectless) results.set(id, { verification: null, applied: true });
    }
    if (groups.size === 0) return results;

    const all = [...groups.values()];
    const held = yield* this.lockRows(all);
    const eventRows: unknown[][] = [];

    // Subjects seen for the first time: their row is computed in full and inserted once, in its
    // final state. No event of theirs can have been applied (it would have created the row); a
    // concurrent call that created one meanwhile makes our insert a no-op, and that subject is
    // then taken like any existing one (locked, re-read) below.
    const fresh = all.filter((group) => !held.has(group)).map((group) => this.freshVerification(group, now));
    if (fresh.length > 0) {
      // In key order: two calls creating the same subjects wait for each other in the same order.
      fresh.sort((a, b) => (a.columns.subject_ref < b.columns.subject_ref ? -1 : a.columns.subject_ref > b.columns.subject_ref ? 1 : 0));
      const columns = Object.keys(fresh[0].columns);
      const insert = `INSERT INTO verifications (${columns.join(', ')}) VALUES ${fresh.map(() => `(${marks(columns)})`).join(', ')} ON CONFLICT DO NOTHING RETURNING id`;
      const params = fresh.flatMap(({ columns: row }) => Object.values(row));
      // PostgreSQL: the events of the rows inserted are marked in the same statement, atomic on
      // its own: new subjects alone cost two round trips (the lookup and this), no transaction.
      const freshEventRows = fresh.flatMap((verification) => verification.eventRows);
      const inserted =
        dialect === 'postgres'
          ? yield {
              sql: `WITH inserted AS (${insert}), marked AS (${markAppliedSql(freshEventRows.length)} AND v.column2 IN (SELECT id FROM inserted)) SELECT id FROM inserted`,
              params: [...params, now, ...freshEventRows.flat()],
              standalone: true,
            }
          : yield { sql: insert, params };
      const insertedIds = new Set(inserted.map((row) => String(row.id)));
      for (const verification of fresh.filter(({ columns: row }) => insertedIds.has(row.id))) {
        if (dialect === 'sqlite') eventRows.push(...verification.eventRows);
        for (const [id, result] of verification.results) results.set(id, result);
      }
      const raced = fresh.filter(({ columns: row }) => !insertedIds.has(row.id)).map(({ group }) => group);
      if (raced.length > 0) {
        for (const [group, row] of yield* this.lockRows(raced)) held.set(group, row);
        if (held.size + insertedIds.size !== all.length) throw new Error('verification rows missing after their insert');
      }
    }
    if (held.size === 0) return yield* this.markApplied(eventRows, now, results);

    // Read under the locks: whatever another worker applied has committed by now.
    const ids = [...held.keys()].flatMap((group) => group.events.map((event) => event.id));
    const done = yield {
      sql: `SELECT id, verification_id, verification_sequence, verification_status, verification_previous_status, verification_stale FROM events WHERE verification_applied_at IS NOT NULL AND id IN (${marks(ids)})`,
      params: ids,
    };
    for (const row of done) results.set(String(row.id), { verification: verificationOfRow(row), applied: false });

    const verificationRows: unknown[][] = [];
    for (const [group, row] of held) {
      const pending = group.events.filter((event) => !results.has(event.id));
      if (pending.length === 0) continue;
      const subject = this.box.openJson<VerificationSubject>(row.subjectSealed, verificationSealContext(row.id));
      const applied = applyEvents(row, subject, pending);
      eventRows.push(...applied.eventRows);
      for (const [id, result] of applied.results) results.set(id, result);
      // The subject and its indexes only when an event brought a new id (null: keep the stored value).
      const changed = applied.subject !== subject;
      const refs = changed ? this.subjectRefs(applied.subject) : { applicant_ref: null, external_user_ref: null, verification_ref: null };
      const sealed = changed ? this.box.sealJson(applied.subject, verificationSealContext(row.id)) : null;
      verificationRows.push([row.id, row.status, row.statusAt, row.statusSince, row.eventCount, sealed, refs.applicant_ref, refs.external_user_ref, refs.verification_ref]);
    }
    if (verificationRows.length > 0) {
      yield {
        sql:
          `UPDATE verifications SET status = v.column2, status_at = v.column3, status_since = v.column4, event_count = v.column5, updated_at = ?, ` +
          'subject_sealed = COALESCE(v.column6, verifications.subject_sealed), applicant_ref = COALESCE(v.column7, verifications.applicant_ref), ' +
          'external_user_ref = COALESCE(v.column8, verifications.external_user_ref), verification_ref = COALESCE(v.column9, verifications.verification_ref) ' +
          `FROM (VALUES ${verificationRows.map(() => VERIFICATION_ROW).join(', ')}) AS v WHERE verifications.id = v.column1`,
        params: [now, ...verificationRows.flat()],
      };
    }
    return yield* this.markApplied(eventRows, now, results);
  }

  /**
   * The events' verification blocks, one multi-row statement for the whole call. By primary key
   * alone: the events are known unapplied (read above under their subjects' locks), and a
   * condition on `verification_applied_at` lets PostgreSQL pick the partial index of unapplied
   * events and scan its dead entries, slower as the table grows.
   */
  private *markApplied<T>(eventRows: unknown[][], now: number, result: T): SqlSteps<T> {
    if (eventRows.length === 0) return result;
    yield { sql: markAppliedSql(eventRows.length), params: [now, ...eventRows.flat()] };
    return result;
  }

  /** A new subject's verification with every one of its events applied: the row to insert and each event's block. */
  private freshVerification(group: SubjectGroup, now: number) {
    const id = uuidv7();
    const row: HeldRow = { id, provider: group.provider, connection: group.connection, subjectRef: '', subjectSealed: '', status: null, statusAt: null, statusSince: null, eventCount: 0 };
    const applied = applyEvents(row, pick(group.events[0].subject), group.events);
    const columns = {
      id,
      provider: group.provider,
      connection: group.connection,
      subject_field: group.field,
      subject_ref: this.box.blindIndex(`${group.field}:${group.value}`),
      ...this.subjectRefs(applied.subject),
      subject_sealed: this.box.sealJson(applied.subject, verificationSealContext(id)),
      status: row.status,
      status_at: row.statusAt,
      status_since: row.statusSince,
      event_count: row.eventCount,
      created_at: now,
      updated_at: now,
    };
    return { group, columns, eventRows: applied.eventRows, results: applied.results };
  }

  /**
   * The verification rows these groups already have, locked. Found through the unique index (one
   * clause per provider and connection), then locked by primary key in id order: a single
   * `... ORDER BY id FOR UPDATE` lets the planner walk the whole table in id order instead.
   */
  private *lockRows(groups: SubjectGroup[]): SqlSteps<Map<SubjectGroup, HeldRow>> {
    const byConnection = new Map<string, { provider: string; connection: string; refs: Set<string> }>();
    for (const group of groups) {
      const key = `${group.provider}\u0000${group.connection}`;
      const entry = byConnection.get(key) ?? { provider: group.provider, connection: group.connection, refs: new Set<string>() };
      for (const candidate of group.candidates) entry.refs.add(candidate);
      byConnection.set(key, entry);
    }
    const clauses = [...byConnection.values()];
    // A plain read (READ COMMITTED gives each statement its own snapshot anyway): the rows are locked and read again below.
    const found = yield {
      sql: `SELECT id FROM verifications WHERE ${clauses.map(({ refs }) => `(provider = ? AND connection = ? AND subject_ref IN (${marks([...refs])}))`).join(' OR ')}`,
      params: clauses.flatMap(({ provider, connection, refs }) => [provider, connection, ...refs]),
      standalone: true,
    };
    const held = new Map<SubjectGroup, HeldRow>();
    const ids = found.map((row) => String(row.id)).sort();
    if (ids.length === 0) return held;
    const rows = yield { sql: `SELECT ${VERIFICATION_COLUMNS} FROM verifications WHERE id IN (${marks(ids)}) ORDER BY id`, params: ids, lock: true };
    for (const row of rows.map(heldRow)) {
      const group = groups.find((each) => each.provider === row.provider && each.connection === row.connection && each.candidates.includes(row.subjectRef));
      if (group && !held.has(group)) held.set(group, row);
    }
    return held;
  }

  /** Blind indexes of the subject's ids, for the admin filters. */
  subjectRefs(subject: VerificationSubject): { applicant_ref: string | null; external_user_ref: string | null; verification_ref: string | null } {
    const ref = (value: string | undefined) => (value ? this.box.blindIndex(value) : null);
    return { applicant_ref: ref(subject.applicantId), external_user_ref: ref(subject.externalUserId), verification_ref: ref(subject.verificationId) };
  }
}

/** Sets the verification blocks of `rows` events (parameters: the time, then each row's EVENT_ROW values). */
function markAppliedSql(rows: number): string {
  return (
    `UPDATE events SET verification_applied_at = ?, verification_id = v.column2, verification_sequence = v.column3, verification_status = v.column4, ` +
    `verification_previous_status = v.column5, verification_stale = v.column6 FROM (VALUES ${Array.from({ length: rows }, () => EVENT_ROW).join(', ')}) AS v ` +
    'WHERE events.id = v.column1'
  );
}

function marks(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/**
 * Applies `events` (unapplied ones) to `row` in vendor-time order with the ordering guard
 * (decideStatus), updating it in place; returns each event's block and the subject with the ids
 * the events brought (the same object when they brought none).
 */
function applyEvents(row: HeldRow, subject: VerificationSubject, events: readonly VerificationEvent[]) {
  const eventRows: unknown[][] = [];
  const results = new Map<string, AppliedEvent>();
  let merged = subject;
  for (const event of [...events].sort(byVendorTime)) {
    const vendorTime = vendorTimeOf(event);
    const decision = decideStatus({ status: row.status, at: row.statusAt }, { status: event.status, occurredAt: vendorTime });
    if (decision.applied) {
      if (decision.status !== row.status) row.statusSince = Date.parse(event.occurredAt);
      row.status = decision.status;
      row.statusAt = vendorTime;
    }
    row.eventCount += 1;
    const verification: EventVerification = { id: row.id, sequence: row.eventCount, status: decision.status, previousStatus: decision.previousStatus, stale: decision.stale };
    eventRows.push([event.id, verification.id, verification.sequence, verification.status, verification.previousStatus, verification.stale]);
    results.set(event.id, { verification, applied: true });
    merged = mergeSubject(merged, event.subject);
  }
  return { eventRows, results, subject: merged };
}

function heldRow(row: SqlRow): HeldRow {
  return {
    id: String(row.id),
    provider: String(row.provider),
    connection: String(row.connection),
    subjectRef: String(row.subject_ref),
    subjectSealed: String(row.subject_sealed),
    status: (row.status ?? null) as VerificationStatus | null,
    statusAt: row.status_at == null ? null : Number(row.status_at),
    statusSince: row.status_since == null ? null : Number(row.status_since),
    eventCount: Number(row.event_count),
  };
}

/** Processing order within one call: vendor time, then receipt, then id (so stale events are only the truly late ones). */
function byVendorTime(a: VerificationEvent, b: VerificationEvent): number {
  return Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const SUBJECT_FIELDS = ['applicantId', 'externalUserId', 'verificationId'] as const;

/** The subject ids a verification keeps (a check id names a check, not the subject). */
function pick(subject: VerificationSubject): VerificationSubject {
  const picked: VerificationSubject = {};
  for (const field of SUBJECT_FIELDS) if (subject[field]) picked[field] = subject[field];
  return picked;
}

/** `known` with the ids it lacks taken from `more`; the same object when nothing is new. */
function mergeSubject(known: VerificationSubject, more: VerificationSubject): VerificationSubject {
  const missing = SUBJECT_FIELDS.filter((field) => !known[field] && more[field]);
  if (missing.length === 0) return known;
  return { ...known, ...Object.fromEntries(missing.map((field) => [field, more[field]])) };
}

/** The `verification` block stored on an event row; null for an event that names no subject. */
export function verificationOfRow(row: SqlRow): EventVerification | null {
  if (row.verification_id == null) return null;
  return {
    id: row.verification_id as string, // a uuid: a string from both drivers
    sequence: Number(row.verification_sequence),
    status: (row.verification_status ?? null) as VerificationStatus | null,
    previousStatus: (row.verification_previous_status ?? null) as VerificationStatus | null,
    stale: row.verification_stale === true || row.verification_stale === 1,
  };
}
