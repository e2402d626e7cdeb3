import { GATEWAY_SOURCE, GATEWAY_SOURCED_OPS_TYPES, OPS_EVENT_DETAIL_FIELDS, type DetailFieldKind, type OpsEventType } from './ops-event';
import { VERIFICATION_STATUSES, type VerificationEvent } from './verification-event';

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
export const SUBJECT_FIELDS = ['applicantId', 'externalUserId', 'verificationId', 'checkId'] as const;
const TIMESTAMPS = ['occurredAt', 'receivedAt'] as const;
/**
 * An RFC 3339 date-time (what the gateway writes: `toISOString()`), with an explicit zone: a bare
 * local time would be ambiguous. The JSON Schema states the same pattern.
 */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
const DATE_TIME = new RegExp(DATE_TIME_PATTERN);
const STATUSES: ReadonlySet<unknown> = new Set(VERIFICATION_STATUSES);
const OPS_DETAIL_FIELDS: Partial<Record<string, Record<string, DetailFieldKind>>> = OPS_EVENT_DETAIL_FIELDS;

type Fail = (field: string, expected: string) => void;

/** A plain JSON object (not null, not an array). The package imports nothing from the gateway, so it has its own. */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** DATE_TIME_PATTERN, and a real calendar date and time of day (as JSON Schema's `date-time` format checks). */
function isDateTime(value: unknown): boolean {
  if (typeof value !== 'string' || !DATE_TIME.test(value)) return false;
  const [year, month, day, hour, minute, second] = value.split(/[-T:.Z+]/, 6).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

/**
 * Checks that `value` is a VerificationEvent v1 and returns it, typed. Unknown extra fields are
 * kept (a newer gateway may add some without breaking consumers); everything the type promises
 * is checked, so a handler can trust it, and so are the `details` of the operational events
 * (`ops.*`) this version knows. The JSON Schema (`verificationEventJsonSchema`) accepts exactly
 * what this accepts.
 * @throws InvalidVerificationEventError listing every failing field.
 */
export function parseVerificationEvent(value: unknown): VerificationEvent {
  if (!isJsonObject(value)) {
    throw new InvalidVerificationEventError([{ field: '(event)', expected: 'an object' }]);
  }
  const issues: VerificationEventIssue[] = [];
  const fail: Fail = (field, expected) => issues.push({ field, expected });

  if (value.specVersion !== '1') fail('specVersion', "'1'");
  for (const field of REQUIRED_STRINGS) {
    if (!isNonEmptyString(value[field])) fail(field, 'a non-empty string');
  }
  if (value.status !== null && !STATUSES.has(value.status)) {
    fail('status', 'null or a VerificationStatus');
  }
  const subject = value.subject;
  if (!isJsonObject(subject)) {
    fail('subject', 'an object');
  } else {
    for (const field of SUBJECT_FIELDS) {
      if (subject[field] !== undefined && typeof subject[field] !== 'string') fail(`subject.${field}`, 'a string');
    }
  }
  for (const field of TIMESTAMPS) {
    if (!isDateTime(value[field])) fail(field, 'an RFC 3339 date-time');
  }
  if (!isJsonObject(value.details)) fail('details', 'an object');
  checkVerification(value.verification, fail);
  if (typeof value.type === 'string' && OPS_DETAIL_FIELDS[value.type]) checkOpsEvent(value, value.type as OpsEventType, fail);

  if (issues.length > 0) throw new InvalidVerificationEventError(issues);
  // Events from a gateway older than the verification state (a rolling upgrade) carry none.
  if (value.verification === undefined) return { ...value, verification: null } as unknown as VerificationEvent;
  return value as unknown as VerificationEvent;
}

function checkVerification(verification: unknown, fail: Fail): void {
  if (verification === null || verification === undefined) return;
  if (!isJsonObject(verification)) return fail('verification', 'null or an object');
  if (!isNonEmptyString(verification.id)) fail('verification.id', 'a non-empty string');
  if (!Number.isInteger(verification.sequence) || (verification.sequence as number) < 1) fail('verification.sequence', 'a positive integer');
  for (const field of ['status', 'previousStatus'] as const) {
    if (verification[field] !== null && !STATUSES.has(verification[field])) fail(`verification.${field}`, 'null or a VerificationStatus');
  }
  if (typeof verification.stale !== 'boolean') fail('verification.stale', 'a boolean');
}

/** An operational event names no subject and no verification, and carries its type's details. */
function checkOpsEvent(event: Record<string, unknown>, type: OpsEventType, fail: Fail): void {
  if (GATEWAY_SOURCED_OPS_TYPES.includes(type)) {
    for (const field of ['provider', 'connection'] as const) {
      if (isNonEmptyString(event[field]) && event[field] !== GATEWAY_SOURCE) fail(field, `'${GATEWAY_SOURCE}' on ${type}`);
    }
  }
  if (event.status !== null && STATUSES.has(event.status)) fail('status', `null on ${type}`);
  if (isJsonObject(event.subject) && Object.keys(event.subject).length > 0) fail('subject', `empty on ${type}`);
  if (isJsonObject(event.verification)) fail('verification', `null on ${type}`);
  if (!isJsonObject(event.details)) return;
  for (const [field, kind] of Object.entries(OPS_EVENT_DETAIL_FIELDS[type])) {
    if (!hasKind(event.details[field], kind)) fail(`details.${field}`, DETAIL_KIND_NAMES[kind]);
  }
}

const DETAIL_KIND_NAMES: Record<DetailFieldKind, string> = {
  string: 'a non-empty string',
  'string|null': 'null or a non-empty string',
  'date-time': 'an RFC 3339 date-time',
  'date-time|null': 'null or an RFC 3339 date-time',
  'positive-integer': 'a positive integer',
};

function hasKind(value: unknown, kind: DetailFieldKind): boolean {
  switch (kind) {
    case 'string':
      return isNonEmptyString(value);
    case 'string|null':
      return value === null || isNonEmptyString(value);
    case 'date-time':
      return isDateTime(value);
    case 'date-time|null':
      return value === null || isDateTime(value);
    case 'positive-integer':
      return Number.isInteger(value) && (value as number) >= 1;
  }
}
