/** Statuses a verification can be in, whatever the vendor calls them. */
export const VERIFICATION_STATUSES = [
  'created',
  'started',
  'incomplete',
  'processing',
  'review',
  'on_hold',
  'approved',
  'rejected',
  'completed',
  'expired',
  'cancelled',
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** Who the event is about, in the vendor's own identifiers. */
export interface VerificationSubject {
  applicantId?: string;
  externalUserId?: string;
  verificationId?: string;
  checkId?: string;
}

/** The one shape every subscriber receives, whatever the vendor (contract: VerificationEvent v1). */
export interface VerificationEvent {
  specVersion: '1';
  /** Gateway event id, stable across redeliveries and replays. */
  id: string;
  /** Provider name as registered, e.g. 'allpass', 'complycube', 'verifik'. */
  provider: string;
  connection: string;
  type: string;
  status: VerificationStatus | null;
  /** Vendor's event id; where the vendor sends none, a stable digest of the decoded payload. */
  providerEventId: string;
  providerEventType: string;
  subject: VerificationSubject;
  occurredAt: string;
  receivedAt: string;
  details: Record<string, unknown>;
}

/** What an adapter's mapping decides; the gateway adds ids, connection and times. */
export interface NormalizedEvent {
  type: string;
  status: VerificationStatus | null;
  subject: VerificationSubject;
  details: Record<string, unknown>;
  /** Vendor's event time where given (ISO-8601). */
  occurredAt?: string;
}
