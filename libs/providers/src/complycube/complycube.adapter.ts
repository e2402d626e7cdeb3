import { WebhookRejection } from '@kyc/core';
import { verifyHexHmacSha256 } from '../hmac-signature';
import { ConnectionConfigError, type ProviderAdapter } from '../provider.interface';
import { mapComplycubeEvent } from './complycube.mapping';
import { COMPLYCUBE_SIGNATURE_HEADER, complycubeSimulator } from './complycube.simulator';

// RFC 9110 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `requiredHeaders` is the only option; checked by the ingress. Idempotent. */
function parseOptions(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // Unknown keys are most likely typos: refuse them rather than ignore them.
  for (const key of Object.keys(raw)) {
    if (key !== 'requiredHeaders') throw new ConnectionConfigError(key, 'is not a ComplyCube option');
  }
  const value = raw.requiredHeaders ?? {};
  if (!isRecord(value)) throw new ConnectionConfigError('requiredHeaders', 'must be an object of header name to value');
  const requiredHeaders: Record<string, string> = {};
  for (const [name, expected] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) throw new ConnectionConfigError('requiredHeaders', 'has an invalid header name');
    // The value is a secret: never echo it.
    if (typeof expected !== 'string' || expected === '') {
      throw new ConnectionConfigError(`requiredHeaders.${name}`, 'must be a non-empty string');
    }
    requiredHeaders[name] = expected;
  }
  return { requiredHeaders };
}

export const complycubeProvider: ProviderAdapter = {
  name: 'complycube',
  secretFields: { required: ['webhookSecret'], optional: [] },
  environment: { secrets: { webhookSecret: 'COMPLYCUBE_WEBHOOK_SECRET' }, options: {} },
  simulator: complycubeSimulator,

  recognizes: (webhook) => webhook.headers[COMPLYCUBE_SIGNATURE_HEADER] !== undefined,

  parseOptions,

  checkSecrets(secrets) {
    const secret: unknown = secrets.webhookSecret;
    if (typeof secret !== 'string' || secret === '') {
      throw new ConnectionConfigError('webhookSecret', 'must be a non-empty string');
    }
  },

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
