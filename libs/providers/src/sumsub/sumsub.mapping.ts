import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

type Json = Readonly<Record<string, unknown>>;

interface Classified {
  readonly type: string;
  readonly status: VerificationStatus | null;
  readonly step?: string;
}

/** Types whose mapping never depends on the payload. A Map so types like `constructor` never match. */
const FIXED: ReadonlyMap<string, Classified> = new Map<string, Classified>([
  ['applicantCreated', { type: 'verification.created', status: 'created' }],
  ['applicantPending', { type: 'verification.processing', status: 'processing' }],
  ['applicantOnHold', { type: 'verification.on_hold', status: 'on_hold' }],
  // Reset: status back to `init`, documents inactive; the applicant starts over.
  ['applicantReset', { type: 'verification.started', status: 'started' }],
  // Primary data processing done: a step on the way to the review, not a status (MAPPING.md).
  ['applicantPrechecked', { type: 'verification.step_completed', status: null, step: 'precheck' }],
  ['applicantActivated', { type: 'applicant.activated', status: null }],
  ['applicantDeactivated', { type: 'applicant.deactivated', status: null }],
  ['applicantDeleted', { type: 'applicant.deleted', status: null }],
  ['applicantPersonalInfoChanged', { type: 'applicant.personal_info_changed', status: null }],
  ['applicantPersonalDataDeleted', { type: 'applicant.personal_data_deleted', status: null }],
  ['applicantTagsChanged', { type: 'applicant.tags_changed', status: null }],
  ['applicantLevelChanged', { type: 'applicant.level_changed', status: null }],
  ['applicantActionPending', { type: 'action.pending', status: null }],
  ['applicantActionReviewed', { type: 'action.reviewed', status: null }],
  ['applicantActionOnHold', { type: 'action.on_hold', status: null }],
  ['videoIdentStatusChanged', { type: 'verification.step_completed', status: null, step: 'video_ident' }],
  ['videoIdentCompositionCompleted', { type: 'verification.step_completed', status: null, step: 'video_ident_composition' }],
]);

/** Types that carry the verification's decision in `reviewResult`. */
const DECISION_TYPES: ReadonlySet<string> = new Set(['applicantReviewed', 'applicantWorkflowCompleted']);

/** Every type vendors.md lists, and `applicantPersonalDataDeleted` from the vendor's webhook type list. */
export const SUMSUB_EVENT_TYPES: readonly string[] = [
  'applicantCreated',
  'applicantPending',
  'applicantPrechecked',
  'applicantReviewed',
  'applicantOnHold',
  'applicantReset',
  'applicantWorkflowCompleted',
  'applicantActivated',
  'applicantDeactivated',
  'applicantDeleted',
  'applicantPersonalInfoChanged',
  'applicantPersonalDataDeleted',
  'applicantTagsChanged',
  'applicantLevelChanged',
  'applicantActionPending',
  'applicantActionReviewed',
  'applicantActionOnHold',
  'videoIdentStatusChanged',
  'videoIdentCompositionCompleted',
];

/** `reviewResult` values worth walking: each decision, answers the mapping does not know, and none. */
const REVIEW_RESULTS: ReadonlyArray<Json | null | undefined> = [
  { reviewAnswer: 'GREEN' },
  { reviewAnswer: 'RED', reviewRejectType: 'FINAL', rejectLabels: ['FORGERY', 'GRAPHIC_EDITOR'] },
  { reviewAnswer: 'RED', reviewRejectType: 'RETRY', rejectLabels: ['UNSATISFACTORY_PHOTOS'] },
  { reviewAnswer: 'RED' },
  { reviewAnswer: 'RED', reviewRejectType: 'SOMETHING_NEW' },
  { reviewAnswer: 'YELLOW' },
  {},
  null,
  undefined,
];

/** Types that may carry a `reviewResult` which must not become a decision. */
const RESULT_BEARING_TYPES: ReadonlySet<string> = new Set(['applicantActionReviewed', 'applicantPrechecked', 'videoIdentStatusChanged', 'applicantPending', 'applicantOnHold']);

/** Every type; for the types that carry a review result, every result worth telling apart. */
export const SUMSUB_KNOWN_EVENTS: readonly VendorEventVariant[] = SUMSUB_EVENT_TYPES.flatMap((eventType) =>
  DECISION_TYPES.has(eventType) || RESULT_BEARING_TYPES.has(eventType) ? REVIEW_RESULTS.map((reviewResult) => ({ eventType, payload: { reviewResult } })) : [{ eventType }],
);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const isRecord = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * `reviewResult` of applicantReviewed / applicantWorkflowCompleted → the decision: GREEN approved;
 * RED + RETRY incomplete (resubmission requested); RED otherwise rejected (a RED is a rejection
 * unless Sumsub says it may be retried). No known answer: the process ended without a decision.
 */
function decision(reviewResult: Json): Classified {
  if (reviewResult.reviewAnswer === 'GREEN') return { type: 'verification.approved', status: 'approved' };
  if (reviewResult.reviewAnswer === 'RED') {
    return reviewResult.reviewRejectType === 'RETRY' ? { type: 'verification.incomplete', status: 'incomplete' } : { type: 'verification.rejected', status: 'rejected' };
  }
  return { type: 'verification.completed', status: 'completed' };
}

export function classifySumsubType(type: string, reviewResult: Json): Classified {
  if (DECISION_TYPES.has(type)) return decision(reviewResult);
  return FIXED.get(type) ?? { type: `sumsub.${type}`, status: null };
}

/**
 * Sumsub event → normalized event. Sumsub sends no personal data in webhooks except the free-text
 * review comments (`moderationComment`, `clientComment`, which may hold private details): details
 * keep statuses, labels, levels and ids only, never those comments.
 */
export function mapSumsubEvent(type: string, payload: Json): NormalizedEvent {
  const reviewResult = isRecord(payload.reviewResult) ? payload.reviewResult : {};
  const classified = classifySumsubType(type, reviewResult);

  const subject: VerificationSubject = {};
  const set = <K extends keyof VerificationSubject>(key: K, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) subject[key] = v;
  };
  set('applicantId', payload.applicantId);
  set('externalUserId', payload.externalUserId);
  set('verificationId', payload.inspectionId);

  const details: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) details[key] = v;
  };
  if (classified.step) details.step = classified.step;
  put('levelName', payload.levelName);
  put('previousLevelName', payload.previousLevelName);
  put('applicantType', payload.applicantType);
  put('reviewStatus', payload.reviewStatus);
  put('reviewAnswer', reviewResult.reviewAnswer);
  put('reviewRejectType', reviewResult.reviewRejectType);
  const rejectLabels = Array.isArray(reviewResult.rejectLabels) ? reviewResult.rejectLabels.filter((label): label is string => typeof label === 'string' && label !== '') : [];
  if (rejectLabels.length > 0) details.rejectLabels = rejectLabels;
  put('videoIdentReviewStatus', payload.videoIdentReviewStatus);
  put('applicantActionId', payload.applicantActionId);
  put('externalApplicantActionId', payload.externalApplicantActionId);
  const sandboxMode = flag(payload.sandboxMode);
  if (sandboxMode !== undefined) details.sandboxMode = sandboxMode;

  return { type: classified.type, status: classified.status, subject, details, occurredAt: sumsubEventTime(payload) };
}

/** `sandboxMode` is documented as a boolean; some samples spell it as a string. */
function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/**
 * `yyyy-MM-dd HH:mm:ss[.fff]` (or with `T`), UTC unless a zone follows (`Z`, `+0000`, `+00:00`):
 * `createdAtMs` ("2020-02-21 13:23:19.321", UTC) and `createdAt` ("2020-02-21 13:23:19+0000").
 */
const SUMSUB_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** The event time as ISO-8601: `createdAtMs`, else `createdAt`; undefined when neither parses (the gateway then uses receivedAt). */
export function sumsubEventTime(payload: Json): string | undefined {
  return parseSumsubTime(payload.createdAtMs) ?? parseSumsubTime(payload.createdAt);
}

function parseSumsubTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = SUMSUB_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const [y, mo, d, h, mi, s] = fields;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, millis);
  // Date.UTC rolls 2020-02-30 over to March: a date that does not round-trip is not a date.
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s) {
    return undefined;
  }
  const offsetMinutes = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  if (Math.abs(offsetMinutes) > 18 * 60) return undefined;
  return new Date(utc - offsetMinutes * 60_000).toISOString();
}
