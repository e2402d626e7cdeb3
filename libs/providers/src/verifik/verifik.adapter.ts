import { payloadDigest, WebhookRejection } from '@kyc/core';
import { verifyHexHmacSha256 } from '../hmac-signature';
import { ConnectionConfigError, type ProviderAdapter } from '../provider.interface';
import { mapVerifikEvent } from './verifik.mapping';
import { VERIFIK_SIGNATURE_HEADER, verifikSimulator } from './verifik.simulator';

// RFC 9110 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `requiredHeaders` is the only option; checked by the ingress. Idempotent. */
function parseOptions(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // Unknown keys are most likely typos: refuse them rather than ignore them.
  for (const key of Object.keys(raw)) {
    if (key !== 'requiredHeaders') throw new ConnectionConfigError(key, 'is not a Verifik option');
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

export const verifikProvider: ProviderAdapter = {
  name: 'verifik',
  secretFields: { required: ['webhookSecret'], optional: [] },
  environment: { secrets: { webhookSecret: 'VERIFIK_WEBHOOK_SECRET' }, options: {} },
  simulator: verifikSimulator,

  recognizes: (webhook) => webhook.headers[VERIFIK_SIGNATURE_HEADER] !== undefined,

  parseOptions,

  checkSecrets(secrets) {
    const secret: unknown = secrets.webhookSecret;
    if (typeof secret !== 'string' || secret === '') {
      throw new ConnectionConfigError('webhookSecret', 'must be a non-empty string');
    }
  },

  /**
   * Hex HMAC-SHA256 of the raw body, `sha256=` prefix optional. Both documented shapes are accepted:
   * A `{ id, type, data }` and B `{ type, object }`. No timestamp: replay protection is the dedup key.
   */
  authenticate(webhook, credentials) {
    verifyHexHmacSha256(webhook, credentials.secrets.webhookSecret, VERIFIK_SIGNATURE_HEADER, 'sha256=');
    const event = webhook.json;
    if (!isRecord(event) || typeof event.type !== 'string' || event.type === '' || !(isRecord(event.data) || isRecord(event.object))) {
      throw new WebhookRejection('malformed', 'body is not a Verifik event (needs string type and object data or object)');
    }
    // Shape B has no event id: a digest of the canonical payload is stable across redeliveries and key order.
    const providerEventId = typeof event.id === 'string' && event.id !== '' ? event.id : payloadDigest(event);
    return { providerEventId, providerEventType: event.type, payload: event };
  },

  normalize: (decoded) => mapVerifikEvent(decoded.providerEventType, decoded.payload),
};
