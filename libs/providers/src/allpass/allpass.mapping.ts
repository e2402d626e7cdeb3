import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

interface AllpassMapping {
  readonly type: string;
  readonly status: VerificationStatus | null;
  /** For `verification.flagged`: why. */
  readonly reason?: string;
}

/** Vendor type -> normalized event (contract.md; documented in MAPPING.md). */
export const ALLPASS_EVENT_MAP: ReadonlyMap<string, AllpassMapping> = new Map<string, AllpassMapping>([
  ['applicantCreated', { type: 'verification.created', status: 'created' }],
  ['applicantIncomplete', { type: 'verification.incomplete', status: 'incomplete' }],
  ['applicantInProgress', { type: 'verification.processing', status: 'processing' }],
  ['applicantInReview', { type: 'verification.review', status: 'review' }],
  ['applicantOnHold', { type: 'verification.on_hold', status: 'on_hold' }],
  ['applicantApproved', { type: 'verification.approved', status: 'approved' }],
  ['applicantRejected', { type: 'verification.rejected', status: 'rejected' }],
  ['applicantCompleted', { type: 'verification.completed', status: 'completed' }],
  ['applicantStepPassed', { type: 'verification.step_completed', status: null }],
  ['applicantDuplicateDocument', { type: 'verification.flagged', status: null, reason: 'duplicate_document' }],
  ['applicantDuplicateEmail', { type: 'verification.flagged', status: null, reason: 'duplicate_email' }],
  ['applicantDuplicatePhone', { type: 'verification.flagged', status: null, reason: 'duplicate_phone' }],
  ['expiredDocument', { type: 'verification.flagged', status: null, reason: 'expired_document' }],
  ['additionalDocumentStepError', { type: 'verification.flagged', status: null, reason: 'additional_document_step_error' }],
]);

export const ALLPASS_EVENT_TYPES: readonly string[] = [...ALLPASS_EVENT_MAP.keys()];

/** `applicantApproved` -> `APPLICANT_APPROVED`, the spelling of the vendor's failed-delivery log. */
const upperSnake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Every type in both spellings the vendor uses. */
export const ALLPASS_KNOWN_EVENTS: readonly VendorEventVariant[] = ALLPASS_EVENT_TYPES.flatMap((eventType) => [{ eventType }, { eventType: upperSnake(eventType) }]);

/** Names compared ignoring case and underscores: the vendor's logs spell `APPLICANT_APPROVED` what its docs call `applicantApproved`. */
const comparable = (name: string) => name.replace(/_/g, '').toLowerCase();
const BY_COMPARABLE_NAME: ReadonlyMap<string, AllpassMapping> = new Map([...ALLPASS_EVENT_MAP].map(([name, mapping]) => [comparable(name), mapping]));

/** Fields that may name the event, in order, when the connection names none (the field is undocumented; older payloads use `type`). */
export const ALLPASS_TYPE_FIELDS: readonly string[] = ['type', 'event', 'eventType', 'eventName'];

/** The vendor's type string from the connection's `typeField`, else the first of ALLPASS_TYPE_FIELDS present; undefined when none. */
export function allpassEventType(payload: Readonly<Record<string, unknown>>, typeField: string | null = null): string | undefined {
  for (const field of typeField === null ? ALLPASS_TYPE_FIELDS : [typeField]) {
    const value = Object.hasOwn(payload, field) ? payload[field] : undefined;
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** The payload's own event id, where it carries one (vendors.md: then it is the dedup key). */
export function allpassPayloadEventId(payload: Readonly<Record<string, unknown>>): string | undefined {
  const value = Object.hasOwn(payload, 'eventId') ? payload.eventId : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The envelope `time` as ISO-8601 (the event's time: retries keep it), or undefined when it is not a date. */
export function allpassEventTime(time: unknown): string | undefined {
  if (typeof time !== 'string') return undefined;
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}

/** Vendor type -> normalized event; a payload naming no type is `allpass.unknown`. `occurredAt` comes from the envelope (adapter). */
export function mapAllpassEvent(vendorType: string, payload: Readonly<Record<string, unknown>>): NormalizedEvent {
  const mapping = BY_COMPARABLE_NAME.get(comparable(vendorType)) ?? { type: `allpass.${vendorType}`, status: null };

  const subject: VerificationSubject = {};
  if (typeof payload.id === 'string') subject.applicantId = payload.id;
  if (typeof payload.externalUserId === 'string') subject.externalUserId = payload.externalUserId;

  const details: Record<string, unknown> = {};
  for (const field of ['warnings', 'stepName', 'appKey']) {
    if (payload[field] !== undefined && payload[field] !== null) details[field] = payload[field];
  }
  if (mapping.reason) details.reason = mapping.reason;

  return { type: mapping.type, status: mapping.status, subject, details };
}
