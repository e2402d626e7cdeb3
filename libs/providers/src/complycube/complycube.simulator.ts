import { createHmac, randomBytes } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { COMPLYCUBE_EVENT_TYPES } from './complycube.mapping';
import { customHeaders } from '../simulator-headers';

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
      return action === 'deleted' ? { id: base.id } : { ...base, type: 'person', email: 'jane.doe@example.com', externalId: `user-${objectId()}` };
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

/**
 * Builds requests from the vendor's documented format with node:crypto alone: it shares no
 * signing code with the adapter, so a bug there cannot hide behind the same bug here.
 */
export const complycubeSimulator: ProviderSimulator = {
  eventTypes: COMPLYCUBE_EVENT_TYPES,
  sampleEventType: 'check.completed.clear',

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
    return { headers: complycubeSimulator.signBody!(body, credentials), body };
  },

  /** Documented: lowercase hex HMAC-SHA256 of the raw body, keyed with the webhook secret, no prefix. */
  signBody(body: string, credentials: ConnectionCredentials): Record<string, string> {
    const signature = createHmac('sha256', credentials.secrets.webhookSecret ?? '')
      .update(body, 'utf8')
      .digest('hex');
    return { 'content-type': 'application/json', 'complycube-signature': signature, ...customHeaders(credentials.options) };
  },
};
