import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

type Json = Readonly<Record<string, unknown>>;

interface Classified {
  readonly type: string;
  readonly status: VerificationStatus | null;
}

/** `data.object.object` of a VerificationSession: only such an object names a subject. */
export const STRIPE_VERIFICATION_SESSION_OBJECT = 'identity.verification_session';
const SESSION_EVENT = `${STRIPE_VERIFICATION_SESSION_OBJECT}.`;

/**
 * The VerificationSession event types (docs.stripe.com/identity/how-sessions-work, "Session events").
 * A Map so types like `constructor` never match. `redacted` is no status: the session keeps the one
 * it had, only its collected data is gone; `verification.redacted` is not in the taxonomy, so the
 * event keeps its resource name (`<resource>.<action>`, contract.md).
 */
const SESSION_EVENTS: ReadonlyMap<string, Classified> = new Map<string, Classified>([
  [`${SESSION_EVENT}created`, { type: 'verification.created', status: 'created' }],
  [`${SESSION_EVENT}processing`, { type: 'verification.processing', status: 'processing' }],
  [`${SESSION_EVENT}requires_input`, { type: 'verification.incomplete', status: 'incomplete' }],
  [`${SESSION_EVENT}verified`, { type: 'verification.approved', status: 'approved' }],
  [`${SESSION_EVENT}canceled`, { type: 'verification.cancelled', status: 'cancelled' }],
  [`${SESSION_EVENT}redacted`, { type: 'verification_session.redacted', status: null }],
]);

/** Every type Stripe documents for Identity sessions; an endpoint may receive any other Stripe event too (`stripe.<type>`). */
export const STRIPE_EVENT_TYPES: readonly string[] = [...SESSION_EVENTS.keys()];

/** The type alone decides the mapping: each type once. */
export const STRIPE_KNOWN_EVENTS: readonly VendorEventVariant[] = STRIPE_EVENT_TYPES.map((eventType) => ({ eventType }));

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

export function classifyStripeType(type: string): Classified {
  return SESSION_EVENTS.get(type) ?? { type: `stripe.${type}`, status: null };
}

/**
 * Stripe event `{ id, object: 'event', type, created, livemode, data: { object } }` -> normalized
 * event. Subject and details come only from a VerificationSession object; details keep facts
 * (statuses, error code, session type, mode), never `verified_outputs`, `provided_details`,
 * `last_error.reason`, `metadata` or URLs and client secrets.
 */
export function mapStripeEvent(type: string, event: Json): NormalizedEvent {
  const classified = classifyStripeType(type);
  const object = record(record(event.data).object);
  const subject: VerificationSubject = {};
  const details: Record<string, unknown> = {};
  if (typeof event.livemode === 'boolean') details.livemode = event.livemode;

  if (object.object === STRIPE_VERIFICATION_SESSION_OBJECT) {
    const sessionId = text(object.id);
    if (sessionId) subject.verificationId = sessionId;
    // Stripe's field for the integrator's own user reference; `metadata.user_id` is the common convention before it existed.
    const externalUserId = text(object.client_reference_id) ?? text(record(object.metadata).user_id);
    if (externalUserId) subject.externalUserId = externalUserId;

    const put = (key: string, value: unknown): void => {
      const v = text(value);
      if (v !== undefined) details[key] = v;
    };
    put('status', object.status);
    put('lastErrorCode', record(object.last_error).code);
    put('sessionType', object.type);
    put('redactionStatus', record(object.redaction).status);
  }

  return { type: classified.type, status: classified.status, subject, details, occurredAt: unixSecondsToIso(event.created) };
}

/** Stripe's `created` (seconds since the epoch) as ISO-8601, or undefined (the gateway then uses receivedAt). */
function unixSecondsToIso(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const time = new Date(value * 1000);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
