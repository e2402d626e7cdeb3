import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { ONFIDO_EVENT_TYPES } from './onfido.mapping';
import { customHeaders } from '../simulator-headers';

const API = 'https://api.onfido.com/v3.6';

/** Task ids look like `<task_def>_<5 hex>` (onfido-node test payloads). */
const taskId = (taskDef: string): string => `${taskDef}_${randomBytes(3).toString('hex').slice(0, 5)}`;

/** Onfido writes its times to the second: `2024-07-10T12:49:09Z`. */
const seconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The object's status after each action (the spec's check, report, run and task statuses), read here rather than from the adapter. */
const OBJECT_STATUS: ReadonlyMap<string, string> = new Map([
  ['check.started', 'in_progress'],
  ['check.reopened', 'reopened'],
  ['check.withdrawn', 'withdrawn'],
  ['check.completed', 'complete'],
  ['check.form_completed', 'in_progress'],
  ['report.withdrawn', 'withdrawn'],
  ['report.resumed', 'awaiting_data'],
  ['report.cancelled', 'cancelled'],
  ['report.awaiting_approval', 'awaiting_approval'],
  ['report.completed', 'complete'],
  ['workflow_run.completed', 'approved'],
  ['workflow_task.started', 'started'],
  ['workflow_task.completed', 'completed'],
]);

/** Fake personal data, as task inputs and outputs carry it; the mapping must not copy it. */
const PERSON = { first_name: 'Jane', last_name: 'Doe', date_of_birth: '1990-01-01', document_number: '999999999' };

interface Built {
  object: Record<string, unknown>;
  resource?: Record<string, unknown>;
}

function objectAndResource(type: string, now: Date): Built {
  const at = seconds(now);
  const [resourceType = type] = type.split('.');
  const status = OBJECT_STATUS.get(type);
  const started = type.endsWith('.started') || type === 'check.reopened' || type === 'report.resumed';
  const time = status === undefined ? {} : started ? { started_at_iso8601: at } : { completed_at_iso8601: at };
  const base = (id: string, href: string | undefined) => ({ id, ...(status === undefined ? {} : { status }), ...time, ...(href ? { href } : {}) });
  const runId = randomUUID();
  switch (resourceType) {
    case 'check': {
      const id = randomUUID();
      return { object: base(id, `${API}/checks/${id}`) };
    }
    case 'report': {
      const id = randomUUID();
      return { object: base(id, `${API}/reports/${id}`) };
    }
    case 'workflow_run':
      return {
        object: base(runId, `${API}/workflow_runs/${runId}`),
        resource: {
          id: runId,
          applicant_id: randomUUID(),
          workflow_id: randomUUID(),
          workflow_version_id: 3,
          status,
          customer_user_id: `user-${randomBytes(4).toString('hex')}`,
          dashboard_url: `https://dashboard.onfido.com/results/${runId}`,
          reasons: [],
          tags: ['simulator'],
          output: PERSON,
          created_at: at,
          updated_at: at,
        },
      };
    case 'workflow_task': {
      const id = taskId('document_check');
      return {
        object: { ...base(id, `${API}/workflow_runs/${runId}/tasks/${id}`), task_spec_id: id, task_def_id: 'document_check', workflow_run_id: runId },
        resource: {
          id,
          workflow_run_id: runId,
          task_def_id: 'document_check',
          task_def_version: null,
          input: { first_name: PERSON.first_name, last_name: PERSON.last_name },
          output: type === 'workflow_task.completed' ? { status: 'complete', result: 'clear', properties: PERSON } : null,
          created_at: at,
          updated_at: at,
        },
      };
    }
    case 'watchlist_monitor': {
      const id = randomUUID();
      return { object: base(id, `${API}/watchlist_monitors/${id}`) };
    }
    case 'workflow_timeline_file':
      return {
        object: base(randomUUID(), undefined),
        resource: { workflow_run_id: runId, timeline_file_download_url: `https://example.com/timeline_${runId}.pdf?signature=${randomBytes(8).toString('hex')}` },
      };
    case 'workflow_run_evidence_folder':
      return { object: base(randomUUID(), undefined), resource: { workflow_run_id: runId } };
    default:
      return { object: base(randomUUID(), undefined) };
  }
}

/**
 * Builds requests from the documented format (`{ payload: { resource_type, action, object,
 * resource? } }`, `X-SHA2-Signature` = hex HMAC-SHA256 of the raw body keyed with the webhook token)
 * with node:crypto alone: it shares no code with the adapter. Every call has a fresh object id.
 */
export const onfidoSimulator: ProviderSimulator = {
  eventTypes: ONFIDO_EVENT_TYPES,
  sampleEventType: 'workflow_run.completed',

  /** Tokens look like `YKOC6mkBxi6yK2zlUIrLMvsJMFEZObP5`: 32 url-safe characters. */
  generateSecrets: () => ({ webhookSecret: randomBytes(24).toString('base64url') }),
  /** Any type builds (unknown ones with a bare object); `options.payload` merges over `payload.object`. */
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const built = objectAndResource(eventType, options.now ?? new Date());
    const object = { ...built.object, ...options.payload };
    // A run's resource repeats the run's status: keep the two alike when a variant changes it.
    const resource = built.resource && 'status' in built.resource ? { ...built.resource, status: object.status } : built.resource;
    const event = {
      payload: {
        resource_type: eventType.split('.')[0] ?? eventType,
        action: eventType,
        object,
        ...(resource ? { resource } : {}),
      },
    };
    const body = JSON.stringify(event);
    return { headers: onfidoSimulator.signBody!(body, credentials), body };
  },

  signBody(body: string, credentials: ConnectionCredentials): Record<string, string> {
    const signature = createHmac('sha256', credentials.secrets.webhookSecret ?? '')
      .update(body, 'utf8')
      .digest('hex');
    return { 'content-type': 'application/json', 'x-sha2-signature': signature, ...customHeaders(credentials.options) };
  },
};
