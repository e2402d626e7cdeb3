import { constantTimeEqual, hmacSha256, isHex, WebhookRejection } from '@kyc/core';
import type { InboundWebhook } from '../provider.interface';
import type { VerifikSignatureKey } from './verifik.options';

const WHSEC_PREFIX = 'whsec_';
const DIGEST_PREFIX = 'sha256=';
const SHA256_BYTES = 32;
const SHA256_HEX_LENGTH = 64;
/** 32 bytes in base64: 43 characters and one `=`, standard or url-safe alphabet (not mixed). */
const BASE64_STANDARD_DIGEST = /^[A-Za-z0-9+/]{43}=$/;
const BASE64_URL_DIGEST = /^[A-Za-z0-9_-]{43}=$/;
const BASE64_STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The Standard Webhooks key of a `whsec_<base64>` secret, or null when the secret is not one
 * (no prefix, or not canonical standard base64 after it, or nothing after it).
 */
export function decodeWhsecSecret(secret: string): Buffer | null {
  if (!secret.startsWith(WHSEC_PREFIX)) return null;
  const encoded = secret.slice(WHSEC_PREFIX.length);
  if (encoded === '' || !BASE64_STANDARD.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  // Canonical only (no stray bits in the last character), so one key has one spelling.
  return key.length > 0 && key.toString('base64') === encoded ? key : null;
}

/** The HMAC keys a secret stands for under a mode (at most two; computed once per verification). */
export function verifikSigningKeys(secret: string, mode: VerifikSignatureKey): Buffer[] {
  const utf8 = Buffer.from(secret, 'utf8');
  if (mode === 'utf8') return [utf8];
  const decoded = decodeWhsecSecret(secret);
  if (mode === 'whsec') return decoded ? [decoded] : [];
  return decoded ? [utf8, decoded] : [utf8];
}

/**
 * The 32 digest bytes of a signature header value: `sha256=` optional (any case), then 64 hex
 * digits (any case) or 44 base64 characters (standard or url-safe, canonical). Null otherwise.
 * Hex and base64 are told apart by their length, which never coincides.
 */
export function parseVerifikDigest(value: string): Buffer | null {
  const digest = value.slice(0, DIGEST_PREFIX.length).toLowerCase() === DIGEST_PREFIX ? value.slice(DIGEST_PREFIX.length) : value;
  if (digest.length === SHA256_HEX_LENGTH) return isHex(digest) ? Buffer.from(digest, 'hex') : null;
  const standard = BASE64_STANDARD_DIGEST.test(digest) ? digest : BASE64_URL_DIGEST.test(digest) ? digest.replace(/-/g, '+').replace(/_/g, '/') : null;
  if (standard === null) return null;
  const bytes = Buffer.from(standard, 'base64');
  return bytes.length === SHA256_BYTES && bytes.toString('base64') === standard ? bytes : null;
}

/**
 * Verify `header` = HMAC-SHA256 of the raw body with any key of the secret under `mode`.
 * Throws only WebhookRejection (401): the digest's form is checked before any comparison, the
 * comparisons are constant-time and all of them run. Details name the header, never values.
 */
export function verifyVerifikSignature(webhook: InboundWebhook, secret: string | undefined, header: string, mode: VerifikSignatureKey): void {
  const value = webhook.headers[header]?.trim();
  if (!value) throw new WebhookRejection('missing_signature', `${header} header is missing`);
  const digest = parseVerifikDigest(value);
  if (digest === null) throw new WebhookRejection('invalid_signature', `${header} is not a hex or base64 HMAC-SHA256`);
  // A credential set without a usable secret can verify nothing; it must not become a 500.
  if (typeof secret !== 'string' || secret === '') {
    throw new WebhookRejection('invalid_signature', `${header} cannot be verified: no webhook secret`);
  }
  const keys = verifikSigningKeys(secret, mode);
  if (keys.length === 0) {
    throw new WebhookRejection('invalid_signature', `${header} cannot be verified: the secret is not a Standard Webhooks key`);
  }
  let matched = false;
  for (const key of keys) matched = constantTimeEqual(digest, hmacSha256(key, webhook.rawBody)) || matched;
  if (!matched) throw new WebhookRejection('invalid_signature', `${header} does not match the body`);
}
