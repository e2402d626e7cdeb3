import { isRecord, WebhookRejection } from '@kyc/core';
import { bodyHmacProvider, type HmacAlgorithm } from '../families/body-hmac';
import { mapSumsubEvent, SUMSUB_KNOWN_EVENTS } from './sumsub.mapping';
import { parseSumsubOptions, SUMSUB_ALGORITHMS, SUMSUB_DEFAULT_ALGORITHM, SUMSUB_OPTION_NAMES, type SumsubAlgorithm, type SumsubOptions } from './sumsub.options';
import { sumsubSimulator } from './sumsub.simulator';

const DIGEST_HEADER = 'x-payload-digest';
const ALGORITHM_HEADER = 'x-payload-digest-alg';

const HMAC_OF: Readonly<Record<SumsubAlgorithm, HmacAlgorithm>> = { HMAC_SHA1_HEX: 'sha1', HMAC_SHA256_HEX: 'sha256', HMAC_SHA512_HEX: 'sha512' };

/**
 * The algorithm a request says it is signed with (`X-Payload-Digest-Alg`; none = SHA-1, the legacy
 * default), refused (401) unless it is one of Sumsub's three and the connection accepts it.
 */
function requestAlgorithm(headers: Readonly<Record<string, string | undefined>>, options: SumsubOptions): HmacAlgorithm {
  const named = headers[ALGORITHM_HEADER]?.trim();
  const algorithm = named ? SUMSUB_ALGORITHMS.find((candidate) => candidate === named) : SUMSUB_DEFAULT_ALGORITHM;
  // The value is the sender's: never echoed.
  if (algorithm === undefined) throw new WebhookRejection('invalid_signature', `${ALGORITHM_HEADER} is not one of ${SUMSUB_ALGORITHMS.join(', ')}`);
  if (!options.algorithms.includes(algorithm)) {
    throw new WebhookRejection(
      'invalid_signature',
      named ? `${ALGORITHM_HEADER} ${algorithm} is not accepted by this connection` : `${ALGORITHM_HEADER} is missing (legacy ${algorithm}), which this connection does not accept`,
    );
  }
  return HMAC_OF[algorithm];
}

/**
 * Hex HMAC of the raw body in `X-Payload-Digest`, the algorithm named by `X-Payload-Digest-Alg`.
 * No timestamp, no rotation: replay protection is the dedup key (`correlationId` + `type`).
 */
export const sumsubProvider = bodyHmacProvider<SumsubOptions>({
  name: 'sumsub',
  displayName: 'Sumsub',
  secretFields: { required: ['webhookSecret'], optional: [] },
  signature: { header: DIGEST_HEADER, algorithm: (webhook, options) => requestAlgorithm(webhook.headers, options) },
  simulator: sumsubSimulator,
  knownEvents: SUMSUB_KNOWN_EVENTS,
  optionNames: SUMSUB_OPTION_NAMES,
  parseOptions: parseSumsubOptions,

  decode(webhook) {
    const event = webhook.json;
    if (!isRecord(event)) throw new WebhookRejection('malformed', 'body is not a Sumsub event (needs a JSON object)');
    const type = event.type ?? null;
    if (type !== null && (typeof type !== 'string' || type === '')) throw new WebhookRejection('malformed', 'body is not a Sumsub event (type must be a non-empty string)');
    // Sumsub documents `type` as not always present: an authentic event without one is kept as `sumsub.unknown`.
    const providerEventType = type ?? 'unknown';
    // One request (`correlationId`) can raise several webhooks, one per type; without it, a keyed digest of the body.
    const correlationId = typeof event.correlationId === 'string' && event.correlationId !== '' ? event.correlationId : undefined;
    const providerEventId = correlationId === undefined ? webhook.eventIdDigest(event) : `${correlationId}:${providerEventType}`;
    return { providerEventId, providerEventType, payload: event };
  },

  securityWarnings(_secrets, options) {
    if (!options.algorithms.includes('HMAC_SHA1_HEX')) return [];
    // The request names its own algorithm, so a connection accepting SHA-1 accepts it from anyone.
    return [
      "accepts HMAC_SHA1_HEX (legacy SHA-1, also assumed when X-Payload-Digest-Alg is missing): choose HMAC_SHA256_HEX or HMAC_SHA512_HEX in Sumsub's webhook settings, then restrict the option algorithms to it",
    ];
  },

  normalize: (decoded) => mapSumsubEvent(decoded.providerEventType, decoded.payload),
});
