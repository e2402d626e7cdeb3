import { constantTimeEqual, hmacSha256, isHex, WebhookRejection } from '@kyc/core';
import type { InboundWebhook } from './provider.interface';

const SHA256_HEX_LENGTH = 64;

/**
 * Verify a header carrying the hex HMAC-SHA256 of the raw body (ComplyCube), optionally
 * after a prefix such as `sha256=` (prefix and hex digits case-insensitive).
 * Throws only WebhookRejection: the format and length are checked before the comparison, because
 * `Buffer.from(x, 'hex')` silently drops bad digits and `timingSafeEqual` throws a RangeError on
 * a length mismatch (the official ComplyCube SDK's flaw). Details name the header, never values.
 */
export function verifyHexHmacSha256(webhook: InboundWebhook, secret: string | undefined, header: string, prefix = ''): void {
  const value = webhook.headers[header]?.trim();
  if (!value) throw new WebhookRejection('missing_signature', `${header} header is missing`);
  const hasPrefix = prefix !== '' && value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
  const hex = hasPrefix ? value.slice(prefix.length) : value;
  if (hex.length !== SHA256_HEX_LENGTH || !isHex(hex)) {
    throw new WebhookRejection('invalid_signature', `${header} is not a hex HMAC-SHA256`);
  }
  // A credential set without a secret can verify nothing; it must not become a 500.
  if (typeof secret !== 'string' || secret === '') {
    throw new WebhookRejection('invalid_signature', `${header} cannot be verified: no webhook secret`);
  }
  if (!constantTimeEqual(Buffer.from(hex, 'hex'), hmacSha256(secret, webhook.rawBody))) {
    throw new WebhookRejection('invalid_signature', `${header} does not match the body`);
  }
}
