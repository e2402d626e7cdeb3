import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

type Json = Readonly<Record<string, unknown>>;

interface Classified {
  readonly type: string;
  readonly status: VerificationStatus | null;
}

/** Every `payload.action` of the official spec (onfido-openapi-spec `webhook_event_type`), as vendors.md lists them. */
export const ONFIDO_EVENT_TYPES: readonly string[] = [
  'check.started',
  'check.reopened',
  'check.withdrawn',
  'check.completed',
  'check.form_completed',
  'report.withdrawn',
  'report.resumed',
  'report.cancelled',
  'report.awaiting_approval',
  'report.completed',
  'workflow_run.completed',
  'workflow_task.started',
  'workflow_task.completed',
  'watchlist_monitor.matches_updated',
  'audit_log.created',
  'workflow_timeline_file.created',
  'workflow_run_evidence_folder.created',
];

/** Every `workflow_run_status` of the official spec (`schemas/workflow_runs/definitions.yaml`). */
export const ONFIDO_WORKFLOW_RUN_STATUSES: readonly string[] = ['processing', 'awaiting_input', 'awaiting_client_input', 'approved', 'declined', 'review', 'abandoned', 'error'];

/** Check results as Onfido's checks report them; the mapping keeps them as `details.result` and nothing more. */
const CHECK_RESULTS: ReadonlyArray<string | undefined> = ['clear', 'consider', undefined];

/** Every type; `workflow_run.completed` with every status (and one unknown, and none); `check.completed` with and without a result. */
export const ONFIDO_KNOWN_EVENTS: readonly VendorEventVariant[] = ONFIDO_EVENT_TYPES.flatMap((eventType): VendorEventVariant[] => {
  if (eventType === 'workflow_run.completed') return [...ONFIDO_WORKFLOW_RUN_STATUSES, 'something_new', undefined].map((status) => ({ eventType, payload: { status } }));
  if (eventType === 'check.completed') return CHECK_RESULTS.map((result) => ({ eventType, payload: { result } }));
  return [{ eventType }];
});

/** A workflow run's final status -> the verification's. A Map so `constructor` etc. never match. */
const WORKFLOW_RUN_OUTCOMES: ReadonlyMap<string, VerificationStatus> = new Map<string, VerificationStatus>([
  ['approved', 'approved'],
  ['declined', 'rejected'],
  ['review', 'review'],
  ['abandoned', 'cancelled'],
]);

const DOCUMENTED = new Set(ONFIDO_EVENT_TYPES);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

export function classifyOnfidoType(type: string, objectStatus: string | undefined): Classified {
  if (type === 'workflow_run.completed') {
    // The run's status is the decision: it takes the decision's type (contract.md). Other final
    // statuses (`error`, or one the spec does not list yet) only say the run ended.
    const outcome = objectStatus === undefined ? undefined : WORKFLOW_RUN_OUTCOMES.get(objectStatus);
    return outcome ? { type: `verification.${outcome}`, status: outcome } : { type: 'verification.completed', status: 'completed' };
  }
  if (type === 'check.started') return { type: 'verification.processing', status: 'processing' };
  // Documented actions are already `<resource>.<action>`; a check's result is not a decision.
  if (DOCUMENTED.has(type)) return { type, status: null };
  return { type: `onfido.${type}`, status: null };
}

/** The event's time as sent: when the operation completed, else when it started (the dedup key's `at`). */
export function onfidoEventTime(object: Json): string | undefined {
  return text(object.completed_at_iso8601) ?? text(object.started_at_iso8601);
}

/**
 * Onfido event `{ payload: { resource_type, action, object, resource? } }` -> normalized event.
 * Details keep facts only (statuses, result, reason codes, ids, the API href); never the task
 * `input`/`output`, tags or links, which carry names, birth dates and document numbers.
 */
export function mapOnfidoEvent(type: string, body: Json): NormalizedEvent {
  const payload = record(body.payload);
  const object = record(payload.object);
  const resource = record(payload.resource);
  const status = text(object.status);
  const classified = classifyOnfidoType(type, status);
  const resourceType = text(payload.resource_type) ?? type.split('.')[0];
  const objectId = text(object.id);

  const subject: VerificationSubject = {};
  const set = <K extends keyof VerificationSubject>(key: K, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) subject[key] = v;
  };
  if (resourceType === 'workflow_run') set('verificationId', objectId);
  else if (resourceType === 'check') set('checkId', objectId);
  // Tasks and run files name the run they belong to.
  else set('verificationId', text(object.workflow_run_id) ?? resource.workflow_run_id);
  set('applicantId', resource.applicant_id);
  set('externalUserId', resource.customer_user_id);

  const details: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) details[key] = v;
  };
  put('resourceType', payload.resource_type);
  put('status', status);
  put('result', object.result);
  // An API URL built from the object's id: no personal data, and what a subscriber fetches next.
  put('href', object.href);
  // Reports, tasks and the rest have no subject slot of their own: keep their id to fetch them.
  if (resourceType !== 'workflow_run' && resourceType !== 'check') put('resourceId', objectId);
  put('taskDefId', text(object.task_def_id) ?? resource.task_def_id);
  put('workflowId', resource.workflow_id);
  if (typeof resource.workflow_version_id === 'number' && Number.isInteger(resource.workflow_version_id)) details.workflowVersionId = resource.workflow_version_id;
  const reasons = Array.isArray(resource.reasons) ? resource.reasons.filter((reason): reason is string => typeof reason === 'string' && reason !== '') : [];
  if (reasons.length > 0) details.reasons = reasons;
  put('errorType', record(resource.error).type);

  return { type: classified.type, status: classified.status, subject, details, occurredAt: isoTime(object.completed_at_iso8601) ?? isoTime(object.started_at_iso8601) };
}

/** An ISO-8601 time as the gateway writes it, or undefined (the gateway then uses receivedAt). */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
