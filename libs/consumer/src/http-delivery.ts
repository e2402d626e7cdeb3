import type { VerificationEvent } from './verification-event';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { InvalidVerificationEventError, parseVerificationEvent } from './verification-event.schema';

/** The request is not a delivery signed with this secret (bad or missing signature, stale timestamp): answer 401. */
export class InvalidDeliverySignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDeliverySignatureError';
  }
}

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Verifies an HTTP delivery of the gateway (Standard Webhooks signature with the subscriber's
 * `whsec_...` secret, timestamp within 5 minutes) and returns its VerificationEvent.
 * `rawBody` must be the body exactly as received: re-serialized JSON does not verify.
 * @throws InvalidDeliverySignatureError on a bad or missing signature or a stale timestamp.
 * @throws InvalidVerificationEventError when a correctly signed body is not a VerificationEvent.
 */
export function verifyHttpDelivery(secret: string, rawBody: string | Buffer, headers: Record<string, string | string[] | undefined>): VerificationEvent {
  if (typeof rawBody !== 'string' && !Buffer.isBuffer(rawBody)) {
    // The usual mistake is a body already parsed by express.json(); say so instead of "bad signature".
    throw new TypeError('verifyHttpDelivery needs the raw request body (string or Buffer), not parsed JSON');
  }
  // Built outside the try: an unusable secret is a misconfiguration of this service (a 500 the
  // gateway retries once it is fixed), not a forged request.
  const webhook = new Webhook(secret);

  const signatureHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const first = Array.isArray(value) ? value[0] : value;
    if ((SIGNATURE_HEADERS as readonly string[]).includes(key) && first !== undefined) signatureHeaders[key] = first;
  }
  try {
    // jsonParse off: the body is parsed below, so that non-JSON is reported as a bad event.
    webhook.verify(rawBody, signatureHeaders, { jsonParse: false });
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new InvalidDeliverySignatureError(error.message);
    throw error;
  }

  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString());
  } catch {
    throw new InvalidVerificationEventError([{ field: '(body)', expected: 'JSON' }]);
  }
  return parseVerificationEvent(payload);
}
