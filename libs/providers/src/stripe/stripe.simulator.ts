import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { STRIPE_EVENT_TYPES, STRIPE_VERIFICATION_SESSION_OBJECT } from './stripe.mapping';
import { customHeaders } from '../simulator-headers';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Stripe ids: a prefix and 24 letters and digits (`vs_1NuNAILkdIwHu7ixh7OtGMLw`). */
function alphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
const stripeId = (prefix: string): string => `${prefix}_${alphanumeric(24)}`;

const SESSION_EVENT = `${STRIPE_VERIFICATION_SESSION_OBJECT}.`;

/**
 * The session's `status` after each event, from docs.stripe.com/identity/how-sessions-work (a new
 * session is `requires_input`; redaction keeps the status). Read here from the docs rather than
 * from the adapter's mapping: the simulator must not share its logic.
 */
const SESSION_STATUS: ReadonlyMap<string, string> = new Map([
  ['created', 'requires_input'],
  ['processing', 'processing'],
  ['requires_input', 'requires_input'],
  ['verified', 'verified'],
  ['canceled', 'canceled'],
  ['redacted', 'verified'],
]);

/** A VerificationSession as the event's `data.object`; a verified one carries expanded fake `verified_outputs` the mapping must not copy. */
function verificationSession(action: string, created: number): Record<string, unknown> {
  const submitted = action !== 'created' && action !== 'canceled';
  const failed = action === 'requires_input';
  return {
    id: stripeId('vs'),
    object: STRIPE_VERIFICATION_SESSION_OBJECT,
    client_reference_id: `user_${randomBytes(6).toString('hex')}`,
    client_secret: null,
    created,
    last_error: failed ? { code: 'document_unverified_other', reason: 'The document is not a valid identity document.' } : null,
    last_verification_report: submitted ? stripeId('vr') : null,
    livemode: false,
    metadata: { user_id: `member-${randomBytes(4).toString('hex')}` },
    options: { document: { require_matching_selfie: true } },
    // Fake personal data, as the vendor shows it to an integrator that expands the session.
    provided_details: { email: 'jenny.rosen@example.com' },
    redaction: action === 'redacted' ? { status: 'redacted' } : null,
    status: SESSION_STATUS.get(action) ?? 'requires_input',
    type: 'document',
    url: null,
    ...(action === 'verified'
      ? {
          verified_outputs: {
            first_name: 'Jenny',
            last_name: 'Rosen',
            dob: { day: 14, month: 3, year: 1987 },
            address: { line1: '510 Townsend St', line2: null, city: 'San Francisco', state: 'CA', postal_code: '94103', country: 'US' },
            id_number: '000-00-4321',
            id_number_type: 'us_ssn',
            email: 'jenny.rosen@example.com',
            phone: '+14155550123',
            sex: 'female',
            unparsed_place_of_birth: 'Springfield',
          },
        }
      : {}),
  };
}

/** Another Stripe object (an endpoint may subscribe to any event): `charge.succeeded` carries a `charge`. */
function otherObject(type: string, created: number): Record<string, unknown> {
  const resource = type.split('.').slice(0, -1).join('.') || type;
  return { id: stripeId('obj'), object: resource, created, livemode: false };
}

/**
 * Builds requests from the documented format with node:crypto alone (docs.stripe.com/webhooks:
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the endpoint
 * secret as text): it shares no signing code with the adapter.
 */
export const stripeSimulator: ProviderSimulator = {
  eventTypes: STRIPE_EVENT_TYPES,
  sampleEventType: `${SESSION_EVENT}verified`,

  generateSecrets: () => ({ webhookSecret: `whsec_${alphanumeric(32)}` }),
  /** Any type builds (non-Identity ones with a bare object); `options.payload` merges over `data.object`. */
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const timestamp = Math.floor((options.now ?? new Date()).getTime() / 1000);
    const object = eventType.startsWith(SESSION_EVENT) ? verificationSession(eventType.slice(SESSION_EVENT.length), timestamp - 60) : otherObject(eventType, timestamp);
    const event = {
      id: stripeId('evt'),
      object: 'event',
      api_version: '2024-06-20',
      created: timestamp,
      data: { object: { ...object, ...options.payload } },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: eventType,
    };
    // Stripe sends the event pretty-printed: signatures cover these exact bytes.
    const body = JSON.stringify(event, null, 2);
    return { headers: stripeSimulator.signBody!(body, credentials, new Date(timestamp * 1000)), body };
  },

  signBody(body: string, credentials: ConnectionCredentials, at = new Date()): Record<string, string> {
    const timestamp = Math.floor(at.getTime() / 1000);
    const signature = createHmac('sha256', Buffer.from(credentials.secrets.webhookSecret ?? '', 'utf8'))
      .update(`${timestamp}.${body}`, 'utf8')
      .digest('hex');
    return {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': `t=${timestamp},v1=${signature}`,
      ...customHeaders(credentials.options),
    };
  },
};
