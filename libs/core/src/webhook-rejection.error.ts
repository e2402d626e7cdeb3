/**
 * Why an inbound webhook was refused. Each reason maps to exactly one HTTP status, so adapters
 * say *what* is wrong and the ingress decides nothing about HTTP itself.
 */
export const REJECTION_STATUS = {
  /** Body is not the vendor's format, cannot be decoded, decrypted or parsed. */
  malformed: 400,
  /** Signature, auth tag or required header is missing. */
  missing_signature: 401,
  /** Signature, auth tag, HMAC or required header does not verify. */
  invalid_signature: 401,
  /** Timestamp outside the connection's window. */
  stale_timestamp: 401,
  /** Unknown provider or connection, or a disabled connection. */
  unknown_provider: 404,
  unknown_connection: 404,
  disabled_connection: 404,
  too_large: 413,
  unsupported_media_type: 415,
  /** The source was refused more than INGRESS_REFUSALS_PER_MINUTE times this minute: its body is not even read. */
  rate_limited: 429,
} as const;
export type RejectionReason = keyof typeof REJECTION_STATUS;

export class WebhookRejection extends Error {
  readonly status: number;

  /** `detail` is logged and shown to operators; it must never contain secrets or payload data. */
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'WebhookRejection';
    this.status = REJECTION_STATUS[reason];
  }
}
