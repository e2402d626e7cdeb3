import { randomBytes } from 'node:crypto';
import { hmacSha256 } from '@kyc/core';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { requiredHeaderValues } from '../required-headers';

export const COMPLYCUBE_SIGNATURE_HEADER = 'complycube-signature';

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

/** ComplyCube ids look like MongoDB ObjectIds: 24 hex digits. */
const objectId = (): string => randomBytes(12).toString('hex');

function resourcePayload(type: string, now: string): Record<string, unknown> {
  const base = { id: objectId(), createdAt: now, updatedAt: now };
  const clientId = objectId();
  if (type.startsWith('workflow.session.')) {
    const action = type.slice('workflow.session.'.length);
    const ended = action === 'completed' || action === 'updated';
    return {
      ...base,
      clientId,
      workflowTemplateId: objectId(),
      workflowId: objectId(),
      status: action === 'started' ? 'in_progress' : action,
      ...(ended ? { outcome: 'clear' } : {}),
    };
  }
  const [resource, action = '', outcome] = type.split('.');
  switch (resource) {
    case 'check': {
      const complete = action === 'completed' || action === 'complete';
      return {
        ...base,
        clientId,
        type: 'extensive_screening_check',
        status: complete ? 'complete' : action === 'failed' ? 'failed' : 'pending',
        ...(complete ? { outcome: outcome ?? 'clear' } : {}),
      };
    }
    case 'client':
      // Fake personal data, as the vendor sends on create; the mapping must not copy it.
      return action === 'deleted'
        ? { id: base.id }
        : { ...base, type: 'person', email: 'jane.doe@example.com', externalId: `user-${objectId()}` };
    case 'document':
      return action === 'deleted' ? { id: base.id } : { ...base, clientId, type: 'passport', issuingCountry: 'GB' };
    case 'address':
      return action === 'deleted' ? { id: base.id } : { ...base, clientId, type: 'main', country: 'GB' };
    case 'livePhoto':
      return action === 'deleted' ? { id: base.id } : { ...base, clientId, performLivenessCheck: true };
    default:
      return base;
  }
}

function resourceTypeOf(type: string): string {
  return type.startsWith('workflow.session.') ? 'workflowSession' : (type.split('.')[0] ?? type);
}

export const complycubeSimulator: ProviderSimulator = {
  eventTypes: COMPLYCUBE_EVENT_TYPES,

  generateSecrets: () => ({ webhookSecret: randomBytes(24).toString('base64url') }),
  /** Any type builds (unknown ones with a bare payload); `options.payload` merges over the resource payload. */
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const now = (options.now ?? new Date()).toISOString();
    const event = {
      id: objectId(),
      type: eventType,
      resourceType: resourceTypeOf(eventType),
      payload: { ...resourcePayload(eventType, now), ...options.payload },
      createdAt: now,
    };
    const body = JSON.stringify(event);
    const signature = hmacSha256(credentials.secrets.webhookSecret ?? '', body).toString('hex');
    return {
      headers: {
        'content-type': 'application/json',
        [COMPLYCUBE_SIGNATURE_HEADER]: signature,
        ...requiredHeaderValues(credentials.options),
      },
      body,
    };
  },
};
