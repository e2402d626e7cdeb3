import { eventIdDigest, WebhookRejection } from '@kyc/core';
import { type ConnectionCredentials, type DecodedWebhook, detectProvider, type InboundWebhook, type ProviderAdapter } from '@kyc/providers';

/** The ingress keys it from SECRETS_KEY; adapter tests use this fixed key. */
export const TEST_EVENT_ID_DIGEST = eventIdDigest(Buffer.alloc(32, 7));

/** An InboundWebhook as the ingress would hand it to an adapter (json undefined when the body is not JSON). */
export function inboundWebhook(body: string, headers: Record<string, string | undefined>, receivedAt = new Date()): InboundWebhook {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { rawBody: Buffer.from(body, 'utf8'), headers, json, receivedAt, eventIdDigest: TEST_EVENT_ID_DIGEST };
}

/** One request through an adapter with one set of credentials, prepared as the connection cache prepares them. */
export function authenticateWith(provider: ProviderAdapter, webhook: InboundWebhook, credentials: ConnectionCredentials): DecodedWebhook {
  return provider.prepare(credentials).authenticate(webhook);
}

/** Whether `POST /webhooks` takes the request for `provider`. */
export function recognizes(provider: ProviderAdapter, webhook: InboundWebhook): boolean {
  return detectProvider(webhook) === provider;
}

/** How `provider` refuses `webhook` under `credentials`; fails the test if it accepts it or throws anything but a WebhookRejection. */
export function refusalOf(provider: ProviderAdapter, webhook: InboundWebhook, credentials: ConnectionCredentials): { reason: string; status: number; message: string } {
  try {
    authenticateWith(provider, webhook, credentials);
  } catch (error) {
    if (!(error instanceof WebhookRejection)) throw error;
    return { reason: error.reason, status: error.status, message: error.message };
  }
  throw new Error('expected a refusal');
}
