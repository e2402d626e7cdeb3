import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

type Json = Readonly<Record<string, unknown>>;

interface Classified {
  readonly type: string;
  readonly status: VerificationStatus | null;
  readonly details: Record<string, string>;
}

/** Shape A (seed page): `{ id, type, data }`. A Map so types like `constructor` never match. */
const SHAPE_A: ReadonlyMap<string, Classified> = new Map<string, Classified>([
  ['verification.started', { type: 'verification.started', status: 'started', details: {} }],
  ['verification.completed', { type: 'verification.approved', status: 'approved', details: {} }],
  ['verification.failed', { type: 'verification.rejected', status: 'rejected', details: {} }],
  ['verification.expired', { type: 'verification.expired', status: 'expired', details: {} }],
  ['document.uploaded', { type: 'verification.step_completed', status: null, details: { step: 'document' } }],
  ['biometric.captured', { type: 'verification.step_completed', status: null, details: { step: 'biometric' } }],
]);

export const VERIFIK_SHAPE_A_TYPES: readonly string[] = [...SHAPE_A.keys()];

type Decision = 'approved' | 'rejected' | 'review';

/**
 * `data.status` words naming a decision (compared lower-cased, `-` and spaces as `_`). The seed page
 * does not list its statuses; a `verification.completed` whose status says it failed must not be
 * delivered as an approval, so the status decides when it names a decision, else the type does.
 */
const SHAPE_A_DECISIONS: ReadonlyMap<string, Decision> = new Map<string, Decision>([
  ['approved', 'approved'],
  ['verified', 'approved'],
  ['success', 'approved'],
  ['succeeded', 'approved'],
  ['passed', 'approved'],
  ['rejected', 'rejected'],
  ['failed', 'rejected'],
  ['declined', 'rejected'],
  ['denied', 'rejected'],
  ['review', 'review'],
  ['in_review', 'review'],
  ['manual_review', 'review'],
  ['needs_review', 'review'],
  ['needs_manual_verification', 'review'],
]);

/** `data.status` values worth walking: every decision word, a few that are not, and none. */
export const VERIFIK_SHAPE_A_STATUSES: ReadonlyArray<string | undefined> = [...SHAPE_A_DECISIONS.keys(), 'completed', 'in_progress', 'expired', 'Needs Review', 'something_new', undefined];

/** Shape A `verification.completed`: the process ended; `data.status` says how when it names a decision. */
function shapeACompleted(status: unknown): Classified | undefined {
  if (typeof status !== 'string') return undefined;
  const decision = SHAPE_A_DECISIONS.get(
    status
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  return decision ? { type: `verification.${decision}`, status: decision, details: {} } : undefined;
}

/**
 * Shape B types are `${projectFlow.type}_${suffix}` (e.g. `onboarding_app_registration_completed`,
 * `onboarding_email_validation_created`); the vendor's catalogue also lists them without the flow
 * (`email_validation_created`), so the flow prefix is optional. `app_registration` names the entity,
 * not the flow, so `onboarding_completed` and `onboarding_app_registration_completed` both have flow
 * `onboarding`. Rules are tried in order: validation steps first, so `*_validation_failed` is a step
 * rather than a rejected verification, and `_completed_without_kyc` before `_completed`.
 */
const FLOW = '(?:(.+?)_)??';
const ENTITY = '(app_registration_)?';

interface ShapeBRule {
  readonly pattern: RegExp;
  readonly type: string;
  readonly status: VerificationStatus | null;
  /** Details from the match (the flow is added from group 1). */
  readonly details?: (match: RegExpExecArray) => Record<string, string>;
  /** The bare suffix (`completed`) names nothing: a flow or the entity must come before it. */
  readonly needsPrefix?: boolean;
}

const SHAPE_B_RULES: readonly ShapeBRule[] = [
  {
    // A failed validation is a failed step, not a rejected verification (vendors.md); e.g.
    // `biometric_validation_failed`, `biometric_validation_liveness_failed`.
    pattern: new RegExp(`^${FLOW}(email|phone|document|biometric|information)_validation_(.*failed)$`),
    type: 'verification.step_failed',
    status: null,
    details: (m) => ({ step: m[2] ?? '', stage: m[3] ?? '' }),
  },
  {
    pattern: new RegExp(`^${FLOW}(email|phone|document|biometric|information)_validation_(.+)$`),
    type: 'verification.step_completed',
    status: null,
    details: (m) => ({ step: m[2] ?? '', stage: m[3] ?? '' }),
  },
  {
    pattern: new RegExp(`^${FLOW}face_verification_compare$`),
    type: 'verification.step_completed',
    status: null,
    details: () => ({ step: 'face', stage: 'compare' }),
  },
  { pattern: new RegExp(`^${FLOW}app_registration_created$`), type: 'verification.created', status: 'created' },
  { pattern: new RegExp(`^${FLOW}${ENTITY}completed_without_kyc$`), type: 'verification.completed', status: 'completed', needsPrefix: true },
  { pattern: new RegExp(`^${FLOW}${ENTITY}needs_manual_verification$`), type: 'verification.review', status: 'review', needsPrefix: true },
  {
    // A step saved while the registration stays ONGOING, e.g. `onboarding_app_registration_sync_sign_up_form`.
    pattern: new RegExp(`^${FLOW}${ENTITY}sync_(.+)$`),
    type: 'verification.step_completed',
    status: null,
    details: (m) => ({ step: m[3] ?? '' }),
    needsPrefix: true,
  },
  { pattern: new RegExp(`^${FLOW}${ENTITY}completed$`), type: 'verification.approved', status: 'approved', needsPrefix: true },
  { pattern: new RegExp(`^${FLOW}${ENTITY}failed$`), type: 'verification.rejected', status: 'rejected', needsPrefix: true },
];

export function classifyVerifikType(type: string): Classified {
  const a = SHAPE_A.get(type);
  if (a) return a;
  for (const rule of SHAPE_B_RULES) {
    const match = rule.pattern.exec(type);
    if (!match || (rule.needsPrefix && !match[1] && !match[2])) continue;
    const flow = match[1];
    return { type: rule.type, status: rule.status, details: { ...(flow ? { flow } : {}), ...rule.details?.(match) } };
  }
  return { type: `verifik.${type}`, status: null, details: {} };
}

/** Shape-B examples of every rule above (any other `<flow>_<suffix>` maps too). */
export const VERIFIK_SHAPE_B_EXAMPLES: readonly string[] = [
  'onboarding_app_registration_created',
  'app_registration_created',
  'onboarding_sync_document',
  'onboarding_app_registration_sync_sign_up_form',
  'onboarding_email_validation_completed',
  'email_validation_completed',
  'onboarding_phone_validation_validated',
  'onboarding_document_validation_created',
  'onboarding_biometric_validation_validated',
  'onboarding_biometric_validation_failed',
  'biometric_validation_liveness_failed',
  'onboarding_information_validation_background_check',
  'face_verification_compare',
  'onboarding_needs_manual_verification',
  'onboarding_app_registration_needs_manual_verification',
  'onboarding_completed_without_kyc',
  'onboarding_app_registration_completed_without_kyc',
  'onboarding_completed',
  'onboarding_app_registration_completed',
  'app_registration_completed',
  'onboarding_failed',
  'onboarding_app_registration_failed',
];

export const VERIFIK_EVENT_TYPES: readonly string[] = [...VERIFIK_SHAPE_A_TYPES, ...VERIFIK_SHAPE_B_EXAMPLES];

/** Every type, and `verification.completed` with every `data.status` worth telling apart. */
export const VERIFIK_KNOWN_EVENTS: readonly VendorEventVariant[] = VERIFIK_EVENT_TYPES.flatMap((eventType) =>
  eventType.startsWith('verification.') ? VERIFIK_SHAPE_A_STATUSES.map((status) => ({ eventType, payload: { status } })) : [{ eventType }],
);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const isRecord = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Verifik event of either shape -> normalized event. The type decides the mapping; the shape
 * decides where the ids are. Details keep facts only, never `metadata` or entity personal data.
 */
export function mapVerifikEvent(type: string, body: Json): NormalizedEvent {
  const classified = (type === 'verification.completed' && isRecord(body.data) ? shapeACompleted(body.data.status) : undefined) ?? classifyVerifikType(type);
  const subject: VerificationSubject = {};
  const details: Record<string, unknown> = { ...classified.details };
  const set = <K extends keyof VerificationSubject>(key: K, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) subject[key] = v;
  };
  const put = (key: string, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) details[key] = v;
  };

  let occurredAt: string | undefined;
  if (isRecord(body.data)) {
    const data = body.data;
    set('verificationId', data.verificationId);
    set('externalUserId', data.userId);
    put('projectId', data.projectId);
    put('status', data.status);
    occurredAt = isoTime(data.timestamp);
  } else if (isRecord(body.object)) {
    // An entity snapshot, not an event: it has no event time, so occurredAt is receivedAt.
    const object = body.object;
    set('verificationId', text(object._id) ?? object.id);
    set('externalUserId', text(object.externalId) ?? object.userId);
    set('applicantId', text(object.client) ?? object.clientId);
    put('status', object.status);
  }
  return { type: classified.type, status: classified.status, subject, details, occurredAt };
}

/** ISO-8601 string, or epoch seconds / milliseconds (number or digits); undefined when unparseable. */
function isoTime(value: unknown): string | undefined {
  let time: number;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const epoch = Number(value);
    // Below 1e12 it can only be seconds: 1e12 ms is 2001, 1e12 s is year 33658.
    time = epoch < 1e12 ? epoch * 1000 : epoch;
  } else if (typeof value === 'string') {
    time = Date.parse(value);
  } else {
    return undefined;
  }
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
