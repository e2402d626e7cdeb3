import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { VERIFF_EVENT_TYPES } from './veriff.mapping';
import { customHeaders } from '../simulator-headers';

/**
 * Codes as Veriff's status code table lists them, written here rather than read from the
 * adapter's mapping: the simulator must not share its logic.
 */
const EVENT_CODES: ReadonlyMap<string, number> = new Map([
  ['started', 7001],
  ['submitted', 7002],
]);
const DECISION_CODES: ReadonlyMap<string, number> = new Map([
  ['approved', 9001],
  ['declined', 9102],
  ['resubmission_requested', 9103],
  ['expired', 9104],
  ['abandoned', 9104],
  ['review', 9121],
]);
/** Reasons as the decision codes table words them; only declines and resubmissions carry one. */
const DECISION_REASONS: ReadonlyMap<string, { reason: string; reasonCode: number }> = new Map([
  ['declined', { reason: 'Suspected document tampering', reasonCode: 102 }],
  ['resubmission_requested', { reason: 'Video and/or photos missing', reasonCode: 201 }],
]);

const DECISION = 'decision.';
const DIGITS = /^\d+$/;

/** A decision webhook body; `payload` merges over `verification`. Fake personal data, as Veriff sends it: the mapping must not copy it. */
function decisionBody(status: string, now: Date, payload: Record<string, unknown> | undefined): Record<string, unknown> {
  // `decision.<digits>`: a decision carrying its code alone.
  const label = DIGITS.test(status) ? {} : { status };
  const code = DIGITS.test(status) ? Number(status) : DECISION_CODES.get(status);
  const reason = DECISION_REASONS.get(status);
  return {
    status: 'success',
    verification: {
      id: randomUUID(),
      attemptId: randomUUID(),
      vendorData: `user-${randomBytes(6).toString('hex')}`,
      ...label,
      ...(code === undefined ? {} : { code }),
      reason: reason?.reason ?? null,
      reasonCode: reason?.reasonCode ?? null,
      decisionTime: now.toISOString(),
      acceptanceTime: new Date(now.getTime() - 180_000).toISOString(),
      person: {
        firstName: 'JANE',
        lastName: 'SIMULATED',
        dateOfBirth: '1980-02-29',
        idNumber: '48002290123',
        addresses: [{ fullAddress: '1 Fake Street, Tallinn 10111, Estonia' }],
      },
      document: { type: 'PASSPORT', number: 'SIMX12345678', country: 'EE', validUntil: '2031-01-01' },
      additionalVerifiedData: {},
      ...payload,
    },
    technicalData: { ip: '203.0.113.77' },
  };
}

/** An event webhook body; `payload` merges over it. A type of digits is a code without an action. */
function eventBody(action: string, payload: Record<string, unknown> | undefined): Record<string, unknown> {
  const code = DIGITS.test(action) ? Number(action) : EVENT_CODES.get(action);
  return {
    id: randomUUID(),
    attemptId: randomUUID(),
    feature: 'selfid',
    ...(code === undefined ? {} : { code }),
    ...(DIGITS.test(action) ? {} : { action }),
    vendorData: `user-${randomBytes(6).toString('hex')}`,
    ...payload,
  };
}

/**
 * Builds requests from the vendor's documented format with node:crypto alone (`X-HMAC-SIGNATURE`:
 * hex HMAC-SHA256 of the raw body keyed with the shared secret; `X-AUTH-CLIENT`: the API key):
 * it shares no signing code with the adapter.
 */
export const veriffSimulator: ProviderSimulator = {
  eventTypes: VERIFF_EVENT_TYPES,
  sampleEventType: 'decision.approved',

  // Veriff's shared secret keys are UUIDs.
  generateSecrets: () => ({ webhookSecret: randomUUID() }),
  /** `decision.<status>` builds a decision webhook, anything else an event webhook with that action. */
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const now = options.now ?? new Date();
    const event = eventType.startsWith(DECISION) ? decisionBody(eventType.slice(DECISION.length), now, options.payload) : eventBody(eventType, options.payload);
    const body = JSON.stringify(event);
    return { headers: veriffSimulator.signBody!(body, credentials), body };
  },

  signBody(body: string, credentials: ConnectionCredentials): Record<string, string> {
    const signature = createHmac('sha256', credentials.secrets.webhookSecret ?? '')
      .update(body, 'utf8')
      .digest('hex');
    // Veriff always sends its API key; a connection without `apiKey` gets some integration's.
    const apiKey = typeof credentials.options.apiKey === 'string' ? credentials.options.apiKey : randomUUID();
    return { 'content-type': 'application/json', 'x-auth-client': apiKey, 'x-hmac-signature': signature, ...customHeaders(credentials.options) };
  },
};
