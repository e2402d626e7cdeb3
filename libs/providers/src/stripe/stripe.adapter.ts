import { isRecord, WebhookRejection } from '@kyc/core';
import { timestampedSignatureProvider } from '../families/timestamped-signature';
import { ConnectionConfigError } from '../provider.interface';
import { checkWebhookSecret } from '../required-headers';
import { mapStripeEvent, STRIPE_KNOWN_EVENTS } from './stripe.mapping';
import { parseStripeOptions, STRIPE_OPTION_NAMES, type StripeOptions } from './stripe.options';
import { stripeSimulator } from './stripe.simulator';

/** An endpoint signing secret as the Dashboard and the CLI show it. */
const ENDPOINT_SECRET = /^whsec_\S+$/;

/**
 * `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]`: HMAC-SHA256 of `<t>.<raw body>` keyed with the
 * endpoint secret's UTF-8 bytes, any `v1` may match (a rolled secret signs alongside the old one),
 * the timestamp within `timestampToleranceSeconds` of receipt. Dedup on the event `id`.
 */
export const stripeProvider = timestampedSignatureProvider<StripeOptions>({
  name: 'stripe',
  displayName: 'Stripe Identity',
  secretFields: { required: ['webhookSecret'], optional: [] },
  header: 'stripe-signature',
  simulator: stripeSimulator,
  knownEvents: STRIPE_KNOWN_EVENTS,
  optionNames: STRIPE_OPTION_NAMES,
  parseOptions: parseStripeOptions,

  /** `whsec_...` without whitespace: catches an API key (`sk_...`) or a pasted newline, either of which would verify nothing. */
  checkSecrets(secrets) {
    checkWebhookSecret(secrets);
    if (!ENDPOINT_SECRET.test(secrets.webhookSecret)) {
      throw new ConnectionConfigError('webhookSecret', "must be the endpoint's signing secret: whsec_ followed by non-blank characters");
    }
  },

  /** Off is allowed (a retry queue that holds requests long), but then only the event-id dedup stops a replay. */
  securityWarnings(_secrets, options) {
    return options.timestampToleranceSeconds === 0
      ? ['timestampToleranceSeconds is 0: the signed timestamp is not checked, so a captured request stays valid and only the event-id dedup stops its replay']
      : [];
  },

  decode(webhook) {
    const event = webhook.json;
    if (!isRecord(event) || typeof event.id !== 'string' || event.id === '' || typeof event.type !== 'string' || event.type === '' || !isRecord(event.data) || !isRecord(event.data.object)) {
      throw new WebhookRejection('malformed', 'body is not a Stripe event (needs string id, string type and object data.object)');
    }
    return { providerEventId: event.id, providerEventType: event.type, payload: event };
  },

  normalize: (decoded) => mapStripeEvent(decoded.providerEventType, decoded.payload),
});
