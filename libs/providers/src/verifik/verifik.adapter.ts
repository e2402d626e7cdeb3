import { WebhookRejection } from '@kyc/core';
import { ConnectionConfigError, type ProviderAdapter } from '../provider.interface';
import { checkWebhookSecret } from '../required-headers';
import { mapVerifikEvent, VERIFIK_KNOWN_EVENTS } from './verifik.mapping';
import { parseVerifikOptions, signatureKeyOf } from './verifik.options';
import { decodeWhsecSecret, verifyVerifikSignature } from './verifik.signature';
import { verifikSimulator } from './verifik.simulator';

const VERIFIK_SIGNATURE_HEADER = 'x-verifik-signature';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export const verifikProvider: ProviderAdapter = {
  name: 'verifik',
  secretFields: { required: ['webhookSecret'], optional: [] },
  environment: { secrets: { webhookSecret: 'VERIFIK_WEBHOOK_SECRET' }, options: {} },
  simulator: verifikSimulator,
  knownEvents: VERIFIK_KNOWN_EVENTS,

  recognizes: (webhook) => webhook.headers[VERIFIK_SIGNATURE_HEADER] !== undefined,

  parseOptions: (raw) => parseVerifikOptions(raw),

  /** A non-empty secret; under `signatureKey: whsec` also `whsec_` + standard base64 (auto falls back to UTF-8). */
  checkSecrets(secrets, options) {
    checkWebhookSecret(secrets);
    if (signatureKeyOf(options) === 'whsec' && decodeWhsecSecret(secrets.webhookSecret) === null) {
      throw new ConnectionConfigError('webhookSecret', 'must be whsec_ followed by standard base64 when signatureKey is whsec');
    }
  },

  /**
   * HMAC-SHA256 of the raw body, hex or base64, `sha256=` prefix optional, keyed as `signatureKey`
   * says. Both documented shapes are accepted: A `{ id, type, data }` and B `{ type, object }`.
   * No timestamp: replay protection is the dedup key.
   */
  authenticate(webhook, credentials) {
    verifyVerifikSignature(webhook, credentials.secrets.webhookSecret, VERIFIK_SIGNATURE_HEADER, signatureKeyOf(credentials.options));
    const event = webhook.json;
    if (!isRecord(event) || typeof event.type !== 'string' || event.type === '' || !(isRecord(event.data) || isRecord(event.object))) {
      throw new WebhookRejection('malformed', 'body is not a Verifik event (needs string type and object data or object)');
    }
    // Shape B has no event id: a keyed digest of the canonical payload is stable across redeliveries and key order.
    const providerEventId = typeof event.id === 'string' && event.id !== '' ? event.id : webhook.eventIdDigest(event);
    return { providerEventId, providerEventType: event.type, payload: event };
  },

  normalize: (decoded) => mapVerifikEvent(decoded.providerEventType, decoded.payload),
};
