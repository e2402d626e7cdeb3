import { WebhookRejection } from '@kyc/core';
import { verifyHexHmacSha256 } from '../hmac-signature';
import type { ProviderAdapter } from '../provider.interface';
import { checkWebhookSecret, parseHeaderOnlyOptions } from '../required-headers';
import { COMPLYCUBE_KNOWN_EVENTS, mapComplycubeEvent } from './complycube.mapping';
import { complycubeSimulator } from './complycube.simulator';

const COMPLYCUBE_SIGNATURE_HEADER = 'complycube-signature';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export const complycubeProvider: ProviderAdapter = {
  name: 'complycube',
  secretFields: { required: ['webhookSecret'], optional: [] },
  environment: { secrets: { webhookSecret: 'COMPLYCUBE_WEBHOOK_SECRET' }, options: {} },
  simulator: complycubeSimulator,
  knownEvents: COMPLYCUBE_KNOWN_EVENTS,

  recognizes: (webhook) => webhook.headers[COMPLYCUBE_SIGNATURE_HEADER] !== undefined,

  parseOptions: (raw) => parseHeaderOnlyOptions(raw, 'ComplyCube'),

  checkSecrets: checkWebhookSecret,

  /** Hex HMAC-SHA256 of the raw body, no prefix, no timestamp: replay protection is the `id` dedup. */
  authenticate(webhook, credentials) {
    verifyHexHmacSha256(webhook, credentials.secrets.webhookSecret, COMPLYCUBE_SIGNATURE_HEADER);
    const event = webhook.json;
    if (!isRecord(event) || typeof event.id !== 'string' || event.id === '' || typeof event.type !== 'string' || event.type === '') {
      throw new WebhookRejection('malformed', 'body is not a ComplyCube event (needs string id and type)');
    }
    return { providerEventId: event.id, providerEventType: event.type, payload: event };
  },

  normalize: (decoded) => mapComplycubeEvent(decoded.providerEventType, decoded.payload),
};
