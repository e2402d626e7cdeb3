import { isHex } from '@kyc/core';

export type DigestEncoding = 'hex' | 'base64';

/** Standard or url-safe base64 (not mixed), with its padding. */
const BASE64_STANDARD = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * The bytes of a digest of `length` bytes written in one of `encodings`: hex (any case) or
 * canonical base64 (standard or url-safe); null for anything else. Hex and base64 of the same
 * digest never have the same length, so the form tells them apart. Checking the form first keeps
 * `Buffer.from` from silently dropping bad characters and `timingSafeEqual` from throwing.
 */
export function parseDigest(value: string, length: number, encodings: readonly DigestEncoding[]): Buffer | null {
  if (encodings.includes('hex') && value.length === length * 2) return isHex(value) ? Buffer.from(value, 'hex') : null;
  if (!encodings.includes('base64') || value.length !== Math.ceil(length / 3) * 4) return null;
  const standard = BASE64_STANDARD.test(value) ? value : BASE64_URL.test(value) ? value.replace(/-/g, '+').replace(/_/g, '/') : null;
  if (standard === null) return null;
  const bytes = Buffer.from(standard, 'base64');
  return bytes.length === length && bytes.toString('base64') === standard ? bytes : null;
}
