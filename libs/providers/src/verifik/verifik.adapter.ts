import { isRecord, WebhookRejection } from '@kyc/core';
import { bodyHmacProvider } from '../families/body-hmac';
import { ConnectionConfigError } from '../provider.interface';
import { checkWebhookSecret } from '../required-headers';
import { mapVerifikEvent, VERIFIK_KNOWN_EVENTS } from './verifik.mapping';
import { VERIFIK_OPTION_NAMES, parseVerifikOptions, type VerifikOptions } from './verifik.options';
import { decodeWhsecSecret, verifikSigningKeys } from './verifik.signature';
import { verifikSimulator } from './verifik.simulator';

/**
 * HMAC-SHA256 of the raw body, hex or base64, `sha256=` prefix optional, keyed as `signatureKey`
 * says. Both documented shapes are accepted: A `{ id, type, data }` and B `{ type, object }`.
 * No timestamp: replay protection is the dedup key.
 */
export const verifikProvider = bodyHmacProvider<VerifikOptions>({
  name: 'verifik',
  displayName: 'Verifik',
  secretFields: { required: ['webhookSecret'], optional: [] },
  signature: { header: 'x-verifik-signature', prefix: 'sha256=', encodings: ['hex', 'base64'], keys: (secret, options) => verifikSigningKeys(secret, options.signatureKey) },
  simulator: verifikSimulator,
  knownEvents: VERIFIK_KNOWN_EVENTS,
  optionNames: VERIFIK_OPTION_NAMES,
  parseOptions: parseVerifikOptions,

  /** A non-empty secret; under `signatureKey: whsec` also `whsec_` + standard base64 (auto falls back to UTF-8). */
  checkSecrets(secrets, options) {
    checkWebhookSecret(secrets);
    if (options.signatureKey === 'whsec' && decodeWhsecSecret(secrets.webhookSecret) === null) {
      throw new ConnectionConfigError('webhookSecret', 'must be whsec_ followed by standard base64 when signatureKey is whsec');
    }
  },

  decode(webhook) {
    const event = webhook.json;
    if (!isRecord(event) || typeof event.type !== 'string' || event.type === '' || !(isRecord(event.data) || isRecord(event.object))) {
      throw new WebhookRejection('malformed', 'body is not a Verifik event (needs string type and object data or object)');
    }
    // Shape B has no event id: a keyed digest of the canonical payload is stable across redeliveries and key order.
    const providerEventId = typeof event.id === 'string' && event.id !== '' ? event.id : webhook.eventIdDigest(event);
    return { providerEventId, providerEventType: event.type, payload: event };
  },

  normalize: (decoded) => mapVerifikEvent(decoded.providerEventType, decoded.payload),
});
