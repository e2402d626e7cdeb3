import type { VerificationStatus, VerificationSubject } from '@kyc/consumer/verification-event';

// The event's contract is owned by the consumer package (what downstream services install).
export { VERIFICATION_STATUSES, type EventVerification, type VerificationEvent, type VerificationStatus, type VerificationSubject } from '@kyc/consumer/verification-event';

/** Statuses after which the vendor's process is over (a later event may still reverse them). */
export const FINAL_STATUSES: readonly VerificationStatus[] = ['approved', 'rejected', 'completed', 'expired', 'cancelled'];

/** What an adapter's mapping decides; the gateway adds ids, connection and times. */
export interface NormalizedEvent {
  type: string;
  status: VerificationStatus | null;
  subject: VerificationSubject;
  details: Record<string, unknown>;
  /** Vendor's event time where given (ISO-8601). */
  occurredAt?: string;
}
