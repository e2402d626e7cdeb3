import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';

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

/** `check.completed[.<outcome>]`, and the older spelling `check.complete[.<outcome>]`. */
const CHECK_COMPLETED = /^check\.completed?(?:\.(.+))?$/;
/** Resources whose every `<resource>.<action>` passes through as sent. */
const PASS_THROUGH_RESOURCES = new Set(['client', 'document', 'address', 'livePhoto']);
const PASS_THROUGH_CHECK_TYPES = new Set(['check.updated', 'check.monitoring.attention']);
const WORKFLOW_SESSION = 'workflow.session.';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

export function classifyComplycubeType(type: string, payloadOutcome: string | undefined): Classified {
  const fixed = FIXED.get(type);
  if (fixed) return fixed;
  const outcomeStatus = payloadOutcome === undefined ? undefined : OUTCOME_STATUS.get(payloadOutcome);
  if (type === 'workflow.session.completed') return { type: 'verification.completed', status: outcomeStatus ?? 'completed' };
  if (type === 'workflow.session.updated') return { type: 'verification.updated', status: outcomeStatus ?? null };

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
