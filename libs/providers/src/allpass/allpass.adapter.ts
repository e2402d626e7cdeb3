import { isRecord, WebhookRejection } from '@kyc/core';
import { defineProvider } from '../define-provider';
import { ConnectionConfigError } from '../provider.interface';
import { ALLPASS_SIGNATURE_HEADER, checkCryptoKey, openData } from './allpass.crypto';
import { ALLPASS_KNOWN_EVENTS, allpassEventTime, allpassEventType, allpassPayloadEventId, mapAllpassEvent } from './allpass.mapping';
import { ALLPASS_OPTION_NAMES, type AllpassOptions, parseAllpassOptions } from './allpass.options';
import { allpassSimulator } from './allpass.simulator';

// Strict UTF-8: garbage from a wrong CBC key or altered data fails here rather than parsing by luck.
const utf8 = new TextDecoder('utf-8', { fatal: true });
// Only to keep the JSON step's work comparable when the strict decoding failed.
const lossyUtf8 = new TextDecoder('utf-8');

/** CBC with nothing that authenticates the request before decryption: malleable, and a padding oracle without uniform answers. */
function isUnauthenticatedCbc(secrets: Readonly<Record<string, string>>, options: AllpassOptions): boolean {
  return options.encryptionMethod === 'aes-256-cbc' && !secrets.hmacKey && Object.keys(options.requiredHeaders).length === 0;
}

/** The connection's keys, decoded once when the connection is loaded. */
interface AllpassKeys {
  key: Buffer;
  hmacKey: string | undefined;
}

export const allpassProvider = defineProvider<AllpassOptions, AllpassKeys>({
  name: 'allpass',
  displayName: 'Allpass',
  secretFields: { required: ['cryptoKey'], optional: ['hmacKey'] },
  environmentOptions: ['encryptionMethod'],
  // Optional: with GCM the tag may travel in `data`, so Allpass is also recognised by its envelope.
  signatureHeaders: [ALLPASS_SIGNATURE_HEADER],
  simulator: allpassSimulator,
  knownEvents: ALLPASS_KNOWN_EVENTS,
  optionNames: ALLPASS_OPTION_NAMES,

  recognizesBody(webhook) {
    const body = webhook.json;
    return isRecord(body) && typeof body.data === 'string' && typeof body.time === 'string' && ('status' in body || 'statusCode' in body);
  },

  parseOptions: parseAllpassOptions,

  checkSecrets(secrets, options) {
    const { cryptoKey, hmacKey } = secrets;
    if (typeof cryptoKey !== 'string' || cryptoKey.length === 0) throw new ConnectionConfigError('cryptoKey', 'is required');
    try {
      checkCryptoKey(cryptoKey, options.keyEncoding);
    } catch (error) {
      throw new ConnectionConfigError('cryptoKey', (error as Error).message);
    }
    if (hmacKey !== undefined && (typeof hmacKey !== 'string' || hmacKey.length === 0)) {
      throw new ConnectionConfigError('hmacKey', 'must be a non-empty string when given');
    }
    if (isUnauthenticatedCbc(secrets, options) && !options.allowUnauthenticatedCbc) {
      throw new ConnectionConfigError(
        'hmacKey',
        'is required with aes-256-cbc: without it (or a requiredHeaders entry) anyone can alter or forge webhooks ' +
          '(the option allowUnauthenticatedCbc: true, set through the admin API, accepts that risk)',
      );
    }
  },

  prepareKeys: (secrets, options) => ({ key: checkCryptoKey(secrets.cryptoKey, options.keyEncoding), hmacKey: secrets.hmacKey }),

  authenticate(webhook, { key, hmacKey }, options) {
    const envelope = webhook.json;
    if (!isRecord(envelope) || typeof envelope.data !== 'string' || envelope.data.length === 0) {
      throw new WebhookRejection('malformed', 'body is not an Allpass envelope (no encrypted data)');
    }

    // Not covered by the tag or HMAC, and known to the sender: checked before anything is decrypted.
    checkTimestamp(envelope.time, webhook.receivedAt, options.timestampToleranceSeconds);

    const opened = openData({
      data: envelope.data,
      signature: webhook.headers[ALLPASS_SIGNATURE_HEADER],
      key,
      hmacKey,
      options,
    });
    const payload = decodePayload(opened.plaintext, opened.problem);
    // The field naming the event is undocumented: a payload without one is still the vendor's
    // authenticated message, stored and delivered as `allpass.unknown` rather than refused into loss.
    const providerEventType = allpassEventType(payload, options.typeField) ?? 'unknown';
    // No event id on the wire: a keyed digest. By default of the envelope `time` too, so the same
    // transition happening again is a new event while a retry (same `time`) is a duplicate; `time`
    // is not authenticated though, so `dedupKey: 'payload'` trades that for replay safety (MAPPING.md).
    const providerEventId = allpassPayloadEventId(payload) ?? webhook.eventIdDigest(options.dedupKey === 'payload' ? payload : { time: envelope.time ?? null, payload });
    return { providerEventId, providerEventType, payload, occurredAt: allpassEventTime(envelope.time) };
  },

  securityWarnings(secrets, options) {
    if (!isUnauthenticatedCbc(secrets, options)) return [];
    // Without an HMAC, CBC is malleable: bits of the first block can be flipped through the IV.
    return ['AES-256-CBC without an HMAC key is unauthenticated; set the HMAC key or a required custom header (requiredHeaders)'];
  },

  normalize(decoded) {
    return { ...mapAllpassEvent(decoded.providerEventType, decoded.payload), occurredAt: decoded.occurredAt };
  },
});

/**
 * UTF-8, JSON, object: every step runs whatever failed before it (a bad CBC padding included),
 * and one rejection comes at the end. Neither the answer nor its timing tells which step failed;
 * the refusal record does.
 */
function decodePayload(plaintext: Buffer, problem: string | undefined): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(plaintext);
  } catch {
    problem ??= 'decrypted data is not UTF-8';
    text = lossyUtf8.decode(plaintext);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problem ??= 'decrypted data is not JSON';
  }
  if (!isRecord(parsed)) problem ??= 'decrypted data is not a JSON object';
  if (problem !== undefined || !isRecord(parsed)) throw new WebhookRejection('malformed', problem ?? 'decrypted data is not a JSON object');
  return parsed;
}

/** Replay window on the envelope `time` (not covered by the tag or HMAC, so it only stops naive replays). */
function checkTimestamp(time: unknown, receivedAt: Date, toleranceSeconds: number): void {
  if (toleranceSeconds === 0) return;
  const sent = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (!Number.isFinite(sent)) throw new WebhookRejection('malformed', 'envelope time is missing or not a date');
  if (Math.abs(receivedAt.getTime() - sent) > toleranceSeconds * 1000) {
    throw new WebhookRejection('stale_timestamp', `envelope time is outside the ${toleranceSeconds} s window`);
  }
}
