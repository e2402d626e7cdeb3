import type { VerifikSignatureKey } from './verifik.options';

const WHSEC_PREFIX = 'whsec_';
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
