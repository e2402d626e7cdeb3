import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

type Json = Readonly<Record<string, unknown>>;

interface Classified {
  readonly type: string;
  readonly status: VerificationStatus | null;
  /** Outcome carried by the type itself (`check.completed.clear`). */
  readonly outcome?: string;
}

/** Workflow session outcome -> verification status (contract.md). A Map so `constructor` etc. never match. */
const OUTCOME_STATUS: ReadonlyMap<string, VerificationStatus> = new Map<string, VerificationStatus>([
  ['clear', 'approved'],
  ['attention', 'review'],
  ['rejected', 'rejected'],
]);

const FIXED: ReadonlyMap<string, Classified> = new Map<string, Classified>([
  ['workflow.session.started', { type: 'verification.started', status: 'started' }],
  ['workflow.session.processing', { type: 'verification.processing', status: 'processing' }],
  ['workflow.session.cancelled', { type: 'verification.cancelled', status: 'cancelled' }],
  ['check.pending', { type: 'check.pending', status: null }],
  ['check.failed', { type: 'check.failed', status: null }],
]);

const CHECK_OUTCOMES = ['clear', 'attention', 'rejected', 'match_confirmed'] as const;

/** Every type vendors.md lists, including the older `check.complete.*` spelling. */
export const COMPLYCUBE_EVENT_TYPES: readonly string[] = [
  ...['started', 'cancelled', 'processing', 'completed', 'updated'].map((s) => `workflow.session.${s}`),
  'check.pending',
  'check.completed',
  ...CHECK_OUTCOMES.map((o) => `check.completed.${o}`),
  'check.complete',
  ...CHECK_OUTCOMES.map((o) => `check.complete.${o}`),
  'check.monitoring.attention',
  'check.failed',
  'check.updated',
  ...['created', 'updated', 'deleted'].map((a) => `client.${a}`),
  ...['created', 'updated', 'deleted', 'updated.image_uploaded', 'updated.image_deleted'].map((a) => `document.${a}`),
  ...['created', 'updated', 'deleted'].map((a) => `address.${a}`),
  'livePhoto.created',
  'livePhoto.deleted',
];

/** Payload outcomes worth walking: the three decisions, one the mapping does not know, and none. */
const PAYLOAD_OUTCOMES: ReadonlyArray<string | undefined> = ['clear', 'attention', 'rejected', 'match_confirmed', 'something_new', undefined];

/** Every type, and for sessions and checks every payload outcome (a session's outcome changes its mapping; a check's must not). */
export const COMPLYCUBE_KNOWN_EVENTS: readonly VendorEventVariant[] = COMPLYCUBE_EVENT_TYPES.flatMap((eventType) =>
  eventType.startsWith('workflow.session.') || eventType.startsWith('check.') ? PAYLOAD_OUTCOMES.map((outcome) => ({ eventType, payload: { outcome } })) : [{ eventType }],
);

/** `check.completed[.<outcome>]`, and the older spelling `check.complete[.<outcome>]`. */
const CHECK_COMPLETED = /^check\.completed?(?:\.(.+))?$/;
/** Resources whose every `<resource>.<action>` passes through as sent. */
const PASS_THROUGH_RESOURCES = new Set(['client', 'document', 'address', 'livePhoto']);
const PASS_THROUGH_CHECK_TYPES = new Set(['check.updated', 'check.monitoring.attention']);
const WORKFLOW_SESSION = 'workflow.session.';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

export function classifyComplycubeType(type: string, payloadOutcome: string | undefined): Classified {
  const fixed = FIXED.get(type);
  if (fixed) return fixed;
  // A session's outcome is a decision: it takes the decision's type, so a subscriber filtering
  // `verification.approved` gets it. Without a known outcome the session only ended (or changed).
  const decision = payloadOutcome === undefined ? undefined : OUTCOME_STATUS.get(payloadOutcome);
  if (decision && (type === 'workflow.session.completed' || type === 'workflow.session.updated')) {
    return { type: `verification.${decision}`, status: decision };
  }
  if (type === 'workflow.session.completed') return { type: 'verification.completed', status: 'completed' };
  if (type === 'workflow.session.updated') return { type: 'verification.updated', status: null };

  const completed = CHECK_COMPLETED.exec(type);
  if (completed) return { type: 'check.completed', status: null, outcome: completed[1] };

  // `<resource>.<action>`: further dots become underscores so the normalized type has two parts.
  const [resource = '', ...action] = type.split('.');
  const passThrough = PASS_THROUGH_RESOURCES.has(resource) || PASS_THROUGH_CHECK_TYPES.has(type);
  if (passThrough && action.length > 0 && action.every((part) => part !== '')) {
    return { type: `${resource}.${action.join('_')}`, status: null };
  }
  return { type: `complycube.${type}`, status: null };
}

/**
 * ComplyCube event `{ id, type, resourceType, payload, createdAt }` -> normalized event.
 * Details keep facts only (ids, statuses, outcome, types); never names, emails or dates of birth.
 */
export function mapComplycubeEvent(type: string, event: Json): NormalizedEvent {
  const payload = record(event.payload);
  const classified = classifyComplycubeType(type, text(payload.outcome));
  const resourceType = text(event.resourceType) ?? type.split('.')[0];
  const isWorkflowSession = type.startsWith(WORKFLOW_SESSION);

  const subject: VerificationSubject = {};
  const id = text(payload.id);
  if (resourceType === 'check' && id) subject.checkId = id;
  const applicantId = text(payload.clientId) ?? (resourceType === 'client' ? id : undefined);
  if (applicantId) subject.applicantId = applicantId;
  // Checks run by a workflow name their session too; a session's own id comes first.
  const verificationId = isWorkflowSession ? (id ?? text(payload.workflowSessionId)) : text(payload.workflowSessionId);
  if (verificationId) subject.verificationId = verificationId;
  const externalUserId = text(payload.externalId);
  if (externalUserId) subject.externalUserId = externalUserId;

  const details: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) details[key] = v;
  };
  put('outcome', classified.outcome ?? payload.outcome);
  put('resourceType', event.resourceType);
  put('status', payload.status);
  // `payload.type` is the check type (`document_check`) or document type (`passport`): facts, not identity.
  if (resourceType === 'check') put('checkType', payload.type);
  if (resourceType === 'document') put('documentType', payload.type);
  // Documents, addresses and live photos have no subject slot: keep their id to fetch them.
  if (!isWorkflowSession && resourceType !== 'check' && resourceType !== 'client') put('resourceId', id);
  put('workflowTemplateId', payload.workflowTemplateId);
  put('workflowId', payload.workflowId);

  return { type: classified.type, status: classified.status, subject, details, occurredAt: isoTime(event.createdAt) };
}

/** The event's `createdAt` as ISO-8601, or undefined (the gateway then uses receivedAt). */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
