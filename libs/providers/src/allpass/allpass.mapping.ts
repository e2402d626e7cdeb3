import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';

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

/** The field naming the event is undocumented: older payloads use `type`; accept `event` / `eventType` too. */
export function allpassEventType(payload: Readonly<Record<string, unknown>>): string | undefined {
  for (const field of ['type', 'event', 'eventType']) {
    const value = payload[field];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** Allpass payloads carry no event time: `occurredAt` is left to the gateway (receivedAt). */
export function mapAllpassEvent(vendorType: string, payload: Readonly<Record<string, unknown>>): NormalizedEvent {
  // A Map, not an object literal, so types like `constructor` never hit the prototype.
  const mapping = ALLPASS_EVENT_MAP.get(vendorType) ?? { type: `allpass.${vendorType}`, status: null };

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
