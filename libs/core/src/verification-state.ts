import type { VerificationStatus, VerificationSubject } from './verification-event';

/** Which identifier names a subject's verification: the first the event carries, in this order. */
export const SUBJECT_KEY_FIELDS = ['applicantId', 'verificationId', 'externalUserId'] as const;
export type SubjectKeyField = (typeof SUBJECT_KEY_FIELDS)[number];

/** The identifier a verification is keyed by; null when the event names no subject (a check id alone does not). */
export function subjectKey(subject: VerificationSubject): { field: SubjectKeyField; value: string } | null {
  for (const field of SUBJECT_KEY_FIELDS) {
    const value = subject[field];
    if (typeof value === 'string' && value.length > 0) return { field, value };
  }
  return null;
}

/**
 * Two status events at the same vendor instant are ordered by stage, later stages winning, so
 * the outcome never depends on which of the two was processed first.
 */
const STAGE: Record<VerificationStatus, number> = {
  created: 0,
  started: 1,
  processing: 2,
  incomplete: 3,
  on_hold: 4,
  review: 5,
  completed: 6,
  approved: 7,
  expired: 8,
  cancelled: 9,
  rejected: 10,
};

/** The status a verification holds and the vendor time (epoch ms) of the event that set it. */
export interface HeldStatus {
  status: VerificationStatus | null;
  /** occurredAt of the last applied status event; null while none was applied, or when that event had no vendor time. */
  at: number | null;
}

export interface StatusDecision {
  status: VerificationStatus | null;
  previousStatus: VerificationStatus | null;
  /** The event carries a status older than the one held: it changes nothing. */
  stale: boolean;
  /** The event's status and time are now the ones held. */
  applied: boolean;
}

/**
 * The ordering guard. A status event applies unless it is older (vendor time, then stage) than
 * the status already applied; terminal statuses may change too (approved, later rejected, is a
 * real reversal). Where either side has no vendor time (`occurredAt` null: Veriff's session
 * events, an Onfido object without times), time cannot tell, and the stage does: a redelivered
 * `started` never undoes a decision. Events without a status never change anything and are never stale.
 */
export function decideStatus(held: HeldStatus, event: { status: VerificationStatus | null; occurredAt: number | null }): StatusDecision {
  const previousStatus = held.status;
  if (event.status === null) return { status: previousStatus, previousStatus, stale: false, applied: false };
  if (held.status === null) return { status: event.status, previousStatus, stale: false, applied: true };
  const earlierStage = STAGE[event.status] < STAGE[held.status];
  const older = held.at === null || event.occurredAt === null ? earlierStage : event.occurredAt < held.at || (event.occurredAt === held.at && earlierStage);
  if (older) return { status: previousStatus, previousStatus, stale: true, applied: false };
  return { status: event.status, previousStatus, stale: false, applied: true };
}

/** The vendor time of a stored event, or null when the vendor sent none (the ingress then takes the receipt time). */
export function vendorTimeOf(event: { occurredAt: string; receivedAt: string }): number | null {
  return event.occurredAt === event.receivedAt ? null : Date.parse(event.occurredAt);
}
