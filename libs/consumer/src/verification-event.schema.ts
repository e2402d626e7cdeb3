import { isRecord, VERIFICATION_STATUSES, type VerificationEvent } from '@kyc/core';

/** One failing field: its path and what was expected there (never the value received). */
export interface VerificationEventIssue {
  field: string;
  expected: string;
}

/**
 * The value is not a VerificationEvent v1. The message names the failing fields only: payloads
 * carry personal data, and this message ends up in logs and in BullMQ's `failedReason`.
 */
export class InvalidVerificationEventError extends Error {
  constructor(readonly issues: VerificationEventIssue[]) {
    super(`Invalid VerificationEvent: ${issues.map((i) => `${i.field} must be ${i.expected}`).join('; ')}`);
    this.name = 'InvalidVerificationEventError';
  }

  /** Paths of the failing fields, e.g. `['status', 'subject.applicantId']`. */
  get fields(): string[] {
    return this.issues.map((i) => i.field);
  }
}

const REQUIRED_STRINGS = ['id', 'provider', 'connection', 'type', 'providerEventId', 'providerEventType'] as const;
const SUBJECT_STRINGS = ['applicantId', 'externalUserId', 'verificationId', 'checkId'] as const;
const TIMESTAMPS = ['occurredAt', 'receivedAt'] as const;
/** An ISO-8601 date-time with an explicit zone: a bare local time would be ambiguous. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const STATUSES: ReadonlySet<unknown> = new Set(VERIFICATION_STATUSES);

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isIsoDateTime(value: unknown): boolean {
  return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Checks that `value` is a VerificationEvent v1 and returns it, typed. Unknown extra fields are
 * kept (a newer gateway may add some without breaking consumers); everything the type promises
 * is checked, so a handler can trust it.
 * @throws InvalidVerificationEventError listing every failing field.
 */
export function parseVerificationEvent(value: unknown): VerificationEvent {
  if (!isRecord(value)) {
    throw new InvalidVerificationEventError([{ field: '(event)', expected: 'an object' }]);
  }
  const issues: VerificationEventIssue[] = [];
  const fail = (field: string, expected: string) => issues.push({ field, expected });

  if (value.specVersion !== '1') fail('specVersion', "'1'");
  for (const field of REQUIRED_STRINGS) {
    if (!isNonEmptyString(value[field])) fail(field, 'a non-empty string');
  }
  if (value.status !== null && !STATUSES.has(value.status)) {
    fail('status', 'null or a VerificationStatus');
  }
  const subject = value.subject;
  if (!isRecord(subject)) {
    fail('subject', 'an object');
  } else {
    for (const field of SUBJECT_STRINGS) {
      if (subject[field] !== undefined && typeof subject[field] !== 'string') fail(`subject.${field}`, 'a string');
    }
  }
  for (const field of TIMESTAMPS) {
    if (!isIsoDateTime(value[field])) fail(field, 'an ISO-8601 date-time');
  }
  if (!isRecord(value.details)) fail('details', 'an object');
  checkVerification(value.verification, fail);

  if (issues.length > 0) throw new InvalidVerificationEventError(issues);
  // Events from a gateway older than the verification state (a rolling upgrade) carry none.
  if (value.verification === undefined) return { ...value, verification: null } as unknown as VerificationEvent;
  return value as unknown as VerificationEvent;
}

function checkVerification(verification: unknown, fail: (field: string, expected: string) => void): void {
  if (verification === null || verification === undefined) return;
  if (!isRecord(verification)) return fail('verification', 'null or an object');
  if (!isNonEmptyString(verification.id)) fail('verification.id', 'a non-empty string');
  if (!Number.isInteger(verification.sequence) || (verification.sequence as number) < 1) fail('verification.sequence', 'a positive integer');
  for (const field of ['status', 'previousStatus'] as const) {
    if (verification[field] !== null && !STATUSES.has(verification[field])) fail(`verification.${field}`, 'null or a VerificationStatus');
  }
  if (typeof verification.stale !== 'boolean') fail('verification.stale', 'a boolean');
}
