import { constantTimeEqual, WebhookRejection } from '@kyc/core';
import { bodyHmacProvider } from '../families/body-hmac';
import type { InboundWebhook } from '../provider.interface';
import { mapVeriffEvent, readVeriffWebhook, VERIFF_KNOWN_EVENTS, veriffDedupFields, veriffEventType } from './veriff.mapping';
import { parseVeriffOptions, VERIFF_OPTION_NAMES, type VeriffOptions } from './veriff.options';
import { veriffSimulator } from './veriff.simulator';

const API_KEY_HEADER = 'x-auth-client';

/**
 * `X-HMAC-SIGNATURE`: hex HMAC-SHA256 of the raw body keyed with the integration's shared secret;
 * no prefix, no timestamp (replay protection is the dedup key). The legacy `X-SIGNATURE` (plain
 * SHA-256 of body + secret) is not accepted: a request carrying only it is 401 missing_signature.
 * `X-AUTH-CLIENT` (the public API key) is checked only where the connection has `apiKey`.
 */
export const veriffProvider = bodyHmacProvider<VeriffOptions>({
  name: 'veriff',
  displayName: 'Veriff',
  secretFields: { required: ['webhookSecret'], optional: [] },
  environmentOptions: ['apiKey'],
  signature: { header: 'x-hmac-signature' },
  simulator: veriffSimulator,
  knownEvents: VERIFF_KNOWN_EVENTS,
  optionNames: VERIFF_OPTION_NAMES,
  parseOptions: parseVeriffOptions,

  decode(webhook, options) {
    checkApiKey(webhook, options.apiKey);
    const veriff = readVeriffWebhook(webhook.json);
    if (!veriff) {
      throw new WebhookRejection('malformed', 'body is not a Veriff event webhook (string id with action or code) nor decision webhook (verification with string id and status or code)');
    }
    // No event id: a keyed digest of the session, attempt, code and label (never a plain hash).
    return { providerEventId: webhook.eventIdDigest(veriffDedupFields(veriff)), providerEventType: veriffEventType(veriff), payload: webhook.json as Record<string, unknown> };
  },

  normalize: (decoded) => mapVeriffEvent(decoded.providerEventType, decoded.payload),
});

/** The API key is public, so it picks the connection rather than authenticating; compared in constant time all the same. */
function checkApiKey(webhook: InboundWebhook, apiKey: string | null): void {
  if (apiKey === null) return;
  const sent = webhook.headers[API_KEY_HEADER];
  if (sent === undefined || sent === '') throw new WebhookRejection('missing_signature', `${API_KEY_HEADER} header is missing (the connection has an apiKey)`);
  if (!constantTimeEqual(sent, apiKey)) throw new WebhookRejection('invalid_signature', `${API_KEY_HEADER} is not the connection's apiKey`);
}
