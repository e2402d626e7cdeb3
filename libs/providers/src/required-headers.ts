import { constantTimeEqual, WebhookRejection } from '@kyc/core';
import type { InboundWebhook } from './provider.interface';

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
