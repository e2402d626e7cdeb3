import { createHmac } from 'node:crypto';
import { canonicalJson, deriveSubkey } from './secret-box';

/** Dedup key of a payload that carries no vendor event id (equal payloads, whatever their key order, give equal keys). */
export type EventIdDigest = (payload: unknown) => string;

/**
 * A keyed digest (HMAC-SHA256, key derived from SECRETS_KEY with HKDF) of the canonical payload.
 * Payloads hold personal data: a plain hash of them could be confirmed by anyone guessing the
 * fields (a name, a birth date), a keyed one only by someone holding SECRETS_KEY.
 */
export function eventIdDigest(secretsKey: Buffer): EventIdDigest {
  const key = deriveSubkey(secretsKey, 'event-id-digest');
  return (payload) => `hmac:${createHmac('sha256', key).update(canonicalJson(payload)).digest('base64url')}`;
}
