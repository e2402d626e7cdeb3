import { createHmac, hkdfSync } from 'node:crypto';
import { canonicalJson } from './crypto';

/** Dedup key of a payload that carries no vendor event id (equal payloads, whatever their key order, give equal keys). */
export type EventIdDigest = (payload: unknown) => string;

/** HKDF `info`: a key derived for one purpose is useless for any other (SecretBox seals with SECRETS_KEY itself). */
const EVENT_ID_DIGEST_PURPOSE = 'kyc-gateway event-id digest v1';

/**
 * A keyed digest (HMAC-SHA256, key derived from SECRETS_KEY with HKDF) of the canonical payload.
 * Payloads hold personal data: a plain hash of them could be confirmed by anyone guessing the
 * fields (a name, a birth date), a keyed one only by someone holding SECRETS_KEY.
 */
export function eventIdDigest(secretsKey: Buffer): EventIdDigest {
  const key = Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), EVENT_ID_DIGEST_PURPOSE, 32));
  return (payload) => `hmac:${createHmac('sha256', key).update(canonicalJson(payload)).digest('base64url')}`;
}
