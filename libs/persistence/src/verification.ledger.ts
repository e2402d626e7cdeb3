import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  decideStatus,
  SecretBox,
  subjectKey,
  type EventVerification,
  type SealContext,
  type VerificationEvent,
  type VerificationStatus,
  type VerificationSubject,
} from '@kyc/core';
import { runSqlSteps, type SqlRow, type SqlSteps } from './sql-steps';

/** Subjects applied at once by one call on PostgreSQL (each holds a pooled connection for its transaction). */
const PARALLEL_SUBJECTS = 4;

/** Where a verification's sealed subject lives: a value copied to another row does not open. */
export const verificationSealContext = (rowId: string): SealContext => ({ table: 'verifications', column: 'subject_sealed', rowId });

/** What applying one event did (or had done, when another worker was first). */
export interface AppliedEvent {
  verification: EventVerification | null;
  /** Applied by this call (false: it had been applied before). */
  applied: boolean;
}

/** A verification row as the guard reads it. */
interface HeldRow {
  id: string;
  subjectSealed: string;
  status: VerificationStatus | null;
  statusAt: number | null;
  statusSince: number | null;
  eventCount: number;
}

/**
 * Takes events into their subject's verification: the ordering guard of the contract. Each
 * subject's events are applied in one transaction holding that verification's row lock, so
 * concurrent workers (or gateways) serialize per subject and every event gets one place in one
 * history; an event applied before (a retried dispatch, another worker) is never applied twice.
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
    const results = new Map<string, AppliedEvent>();
    const subjects = new Map<string, { field: string; value: string; events: VerificationEvent[] }>();
    const subjectless: string[] = [];
    for (const event of events) {
      const key = subjectKey(event.subject);
      if (!key) {
        subjectless.push(event.id);
        continue;
      }
      const group = `${event.provider}\u0000${event.connection}\u0000${key.field}\u0000${key.value}`;
      const entry = subjects.get(group) ?? { field: key.field, value: key.value, events: [] };
      entry.events.push(event);
      subjects.set(group, entry);
    }
    if (subjectless.length > 0) {
      await this.dataSource.query(
        `UPDATE events SET verification_applied_at = ${this.placeholder(1)} WHERE verification_applied_at IS NULL AND id IN (${subjectless.map((_, index) => this.placeholder(index + 2)).join(', ')})`,
        [now.getTime(), ...subjectless],
      );
      for (const id of subjectless) results.set(id, { verification: null, applied: true });
    }
    // One transaction per subject, each locking one row (so none can deadlock another). PostgreSQL
    // runs a few at once; SQLite's run synchronously one after the other anyway.
    const queue = [...subjects.values()];
    const lanes = this.dataSource.options.type === 'postgres' ? PARALLEL_SUBJECTS : 1;
    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { field, value, events: subjectEvents } = next;
        const applied = await runSqlSteps(this.dataSource, () => this.applySubject(field, value, subjectEvents, now.getTime()));
        for (const [id, result] of applied) results.set(id, result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, queue.length) }, lane));
    return results;
  }

  private *applySubject(field: string, value: string, events: VerificationEvent[], now: number): SqlSteps<Map<string, AppliedEvent>> {
    const { provider, connection } = events[0];
    const held = yield* this.lockOrCreate(provider, connection, field, value, events[0].subject, now);
    const results = new Map<string, AppliedEvent>();
    const ids = events.map((event) => event.id);
    // Read under the lock: whatever another worker applied has committed by now.
    const done = (yield {
      sql: `SELECT id, verification_id, verification_sequence, verification_status, verification_previous_status, verification_stale FROM events WHERE verification_applied_at IS NOT NULL AND id IN (${ids.map(() => '?').join(', ')})`,
      params: ids,
    }) as SqlRow[];
    for (const row of done) results.set(String(row.id), { verification: verificationOfRow(row), applied: false });

    let subject = this.box.openJson<VerificationSubject>(held.subjectSealed, verificationSealContext(held.id));
    let subjectChanged = false;
    const pending = events.filter((event) => !results.has(event.id)).sort(byVendorTime);
    for (const event of pending) {
      const occurredAt = Date.parse(event.occurredAt);
      const decision = decideStatus({ status: held.status, at: held.statusAt }, { status: event.status, occurredAt });
      if (decision.applied) {
        if (decision.status !== held.status) held.statusSince = occurredAt;
        held.status = decision.status;
        held.statusAt = occurredAt;
      }
      held.eventCount += 1;
      const verification: EventVerification = { id: held.id, sequence: held.eventCount, status: decision.status, previousStatus: decision.previousStatus, stale: decision.stale };
      yield {
        sql: 'UPDATE events SET verification_applied_at = ?, verification_id = ?, verification_sequence = ?, verification_status = ?, verification_previous_status = ?, verification_stale = ? WHERE id = ? AND verification_applied_at IS NULL',
        params: [now, verification.id, verification.sequence, verification.status, verification.previousStatus, verification.stale, event.id],
      };
      results.set(event.id, { verification, applied: true });
      const merged = mergeSubject(subject, event.subject);
      if (merged !== subject) {
        subject = merged;
        subjectChanged = true;
      }
    }
    if (pending.length === 0) return results;
    const refs = subjectChanged
      ? { subject_sealed: this.box.sealJson(subject, verificationSealContext(held.id)), ...this.subjectRefs(subject) }
      : {};
    const changes: Record<string, unknown> = { status: held.status, status_at: held.statusAt, status_since: held.statusSince, event_count: held.eventCount, updated_at: now, ...refs };
    yield {
      sql: `UPDATE verifications SET ${Object.keys(changes).map((column) => `${column} = ?`).join(', ')} WHERE id = ?`,
      params: [...Object.values(changes), held.id],
    };
    return results;
  }

  /** The subject's verification row, locked; created first if the subject is new. */
  private *lockOrCreate(provider: string, connection: string, field: string, value: string, subject: VerificationSubject, now: number): SqlSteps<HeldRow> {
    // Any key its ref may be stored under (rows not re-indexed yet after a SECRETS_KEY rotation).
    const candidates = this.box.blindIndexCandidates(`${field}:${value}`);
    const select = {
      sql: `SELECT id, subject_sealed, status, status_at, status_since, event_count FROM verifications WHERE provider = ? AND connection = ? AND subject_ref IN (${candidates.map(() => '?').join(', ')})`,
      params: [provider, connection, ...candidates],
      lock: true,
    };
    let rows = (yield select) as SqlRow[];
    if (rows.length === 0) {
      const id = uuidv7();
      const initial = pick(subject);
      const row: Record<string, unknown> = {
        id,
        provider,
        connection,
        subject_field: field,
        subject_ref: this.box.blindIndex(`${field}:${value}`),
        ...this.subjectRefs(initial),
        subject_sealed: this.box.sealJson(initial, verificationSealContext(id)),
        event_count: 0,
        created_at: now,
        updated_at: now,
      };
      // A concurrent first event of the same subject may insert it first: then this one does nothing.
      yield {
        sql: `INSERT INTO verifications (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
        params: Object.values(row),
      };
      rows = (yield select) as SqlRow[];
    }
    const row = rows[0];
    return {
      id: String(row.id),
      subjectSealed: String(row.subject_sealed),
      status: (row.status ?? null) as VerificationStatus | null,
      statusAt: row.status_at == null ? null : Number(row.status_at),
      statusSince: row.status_since == null ? null : Number(row.status_since),
      eventCount: Number(row.event_count),
    };
  }

  /** Blind indexes of the subject's ids, for the admin filters. */
  subjectRefs(subject: VerificationSubject): { applicant_ref: string | null; external_user_ref: string | null; verification_ref: string | null } {
    const ref = (value: string | undefined) => (value ? this.box.blindIndex(value) : null);
    return { applicant_ref: ref(subject.applicantId), external_user_ref: ref(subject.externalUserId), verification_ref: ref(subject.verificationId) };
  }

  private placeholder(index: number): string {
    return this.dataSource.options.type === 'postgres' ? `$${index}` : '?';
  }
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
    id: String(row.verification_id),
    sequence: Number(row.verification_sequence),
    status: (row.verification_status ?? null) as VerificationStatus | null,
    previousStatus: (row.verification_previous_status ?? null) as VerificationStatus | null,
    stale: row.verification_stale === true || row.verification_stale === 1,
  };
}
