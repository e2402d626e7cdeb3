import { constantTimeEqual, WebhookRejection } from '@kyc/core';
import { ConnectionConfigError, type InboundWebhook } from './provider.interface';

/**
 * Custom headers an operator configured on the vendor's side (e.g. `Authorization: Bearer ...`),
 * required on every request of the connection. Works for every provider; compared in constant time.
 */
export function checkRequiredHeaders(webhook: InboundWebhook, required: unknown): void {
  if (!required || typeof required !== 'object') return;
  for (const [name, expected] of Object.entries(required as Record<string, unknown>)) {
    const actual = webhook.headers[name.toLowerCase()];
    if (actual === undefined) throw new WebhookRejection('missing_signature', `required header ${name.toLowerCase()} is missing`);
    if (!constantTimeEqual(actual, String(expected))) {
      throw new WebhookRejection('invalid_signature', `required header ${name.toLowerCase()} does not match`);
    }
  }
}

// RFC 9110 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Validate the `requiredHeaders` option (header name → expected value); values are secrets and never echoed. */
export function parseRequiredHeaders(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConnectionConfigError('requiredHeaders', 'must be an object of header name to value');
  }
  const headers: Record<string, string> = {};
  for (const [name, expected] of Object.entries(value as Record<string, unknown>)) {
    if (!HEADER_NAME.test(name)) throw new ConnectionConfigError('requiredHeaders', 'has an invalid header name');
    if (typeof expected !== 'string' || expected.length === 0) {
      throw new ConnectionConfigError(`requiredHeaders.${name}`, 'must be a non-empty string');
    }
    headers[name] = expected;
  }
  return headers;
}

/** The `webhookSecret` of a signed-JSON vendor must be a non-empty string. */
export function checkWebhookSecret(secrets: Readonly<Record<string, string>>): void {
  const secret: unknown = secrets.webhookSecret;
  if (typeof secret !== 'string' || secret === '') throw new ConnectionConfigError('webhookSecret', 'must be a non-empty string');
}
