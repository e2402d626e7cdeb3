import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { SUMSUB_EVENT_TYPES } from './sumsub.mapping';
import { customHeaders } from '../simulator-headers';

/** Sumsub ids look like MongoDB ObjectIds: 24 hex digits. */
const objectId = (): string => randomBytes(12).toString('hex');

/** `X-Payload-Digest-Alg` value → node's HMAC name, as Sumsub documents them. */
const HASHES: ReadonlyMap<string, string> = new Map([
  ['HMAC_SHA1_HEX', 'sha1'],
  ['HMAC_SHA256_HEX', 'sha256'],
  ['HMAC_SHA512_HEX', 'sha512'],
]);
const PREFERRED_ALGORITHM = 'HMAC_SHA256_HEX';

/** The applicant's `reviewStatus` after each type, as Sumsub's statuses read (init, pending, prechecked, queued, completed, onHold). */
const REVIEW_STATUS: ReadonlyMap<string, string> = new Map([
  ['applicantCreated', 'init'],
  ['applicantReset', 'init'],
  ['applicantLevelChanged', 'init'],
  ['applicantPending', 'pending'],
  ['applicantActionPending', 'pending'],
  ['applicantPrechecked', 'prechecked'],
  ['applicantOnHold', 'onHold'],
  ['applicantActionOnHold', 'onHold'],
]);

/** `createdAtMs` as Sumsub writes it: `yyyy-MM-dd HH:mm:ss.fff` in UTC, no zone. */
const sumsubTime = (date: Date): string => date.toISOString().replace('T', ' ').replace('Z', '');

/** What Sumsub sends for a type (reviewed types with a GREEN result; the variants override it). */
function payloadFor(type: string, now: Date): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    applicantId: objectId(),
    inspectionId: objectId(),
    applicantType: 'individual',
    correlationId: `req-${randomUUID()}`,
    levelName: 'id-and-liveness',
    externalUserId: `user-${randomBytes(6).toString('hex')}`,
    type,
    sandboxMode: true,
    reviewStatus: REVIEW_STATUS.get(type) ?? 'completed',
    createdAtMs: sumsubTime(now),
    clientId: 'simulatorClientId',
  };
  if (type === 'applicantReviewed' || type === 'applicantWorkflowCompleted' || type === 'applicantActionReviewed') payload.reviewResult = { reviewAnswer: 'GREEN' };
  if (type === 'applicantLevelChanged') payload.previousLevelName = 'basic-kyc-level';
  if (type.startsWith('applicantAction')) {
    payload.applicantActionId = objectId();
    payload.externalApplicantActionId = `action-${randomBytes(6).toString('hex')}`;
  }
  if (type.startsWith('videoIdent')) payload.videoIdentReviewStatus = 'completed';
  return payload;
}

/**
 * A RED review carries free-text comments, the client's one possibly with private details: fake
 * personal data here, so tests can prove it never reaches the event.
 */
function withRejectionComments(reviewResult: unknown): unknown {
  if (reviewResult === null || typeof reviewResult !== 'object' || Array.isArray(reviewResult)) return reviewResult;
  const result = reviewResult as Record<string, unknown>;
  if (result.reviewAnswer !== 'RED' || 'clientComment' in result) return reviewResult;
  return {
    moderationComment: 'We could not verify your profile. If you have any questions, please contact support@example.com',
    clientComment: 'Jane Doe, born 1990-01-01, document P1234567: suspected fraudulent account.',
    ...result,
  };
}

/** The algorithm Sumsub is set to for this connection: SHA-256 when it accepts it, else the first it accepts. */
function algorithmFor(options: Readonly<Record<string, unknown>>): string {
  const accepted = Array.isArray(options.algorithms) ? options.algorithms.filter((value): value is string => typeof value === 'string' && HASHES.has(value)) : [];
  return accepted.length === 0 || accepted.includes(PREFERRED_ALGORITHM) ? PREFERRED_ALGORITHM : accepted[0];
}

/**
 * Builds requests from the vendor's documented format with node:crypto alone (`X-Payload-Digest`:
 * hex HMAC of the raw body; `X-Payload-Digest-Alg`: its algorithm): it shares no code with the adapter.
 */
export const sumsubSimulator: ProviderSimulator = {
  eventTypes: SUMSUB_EVENT_TYPES,
  sampleEventType: 'applicantReviewed',

  generateSecrets: () => ({ webhookSecret: randomBytes(24).toString('base64url') }),
  /** Any type builds; `options.payload` merges over the top-level payload (`undefined` removes a field). */
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const payload = { ...payloadFor(eventType, options.now ?? new Date()), ...options.payload };
    if ('reviewResult' in payload) payload.reviewResult = withRejectionComments(payload.reviewResult);
    const body = JSON.stringify(payload);
    return { headers: sumsubSimulator.signBody!(body, credentials), body };
  },

  signBody(body: string, credentials: ConnectionCredentials): Record<string, string> {
    const algorithm = algorithmFor(credentials.options);
    const digest = createHmac(HASHES.get(algorithm) ?? 'sha256', credentials.secrets.webhookSecret ?? '')
      .update(body, 'utf8')
      .digest('hex');
    return { 'content-type': 'application/json', 'x-payload-digest': digest, 'x-payload-digest-alg': algorithm, ...customHeaders(credentials.options) };
  },
};
