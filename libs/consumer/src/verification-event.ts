/**
 * The event's contract (VerificationEvent v1, the gateway's external contract). It lives in the consumer package,
 * which imports nothing from the monorepo; the gateway takes these types from here.
 */
/** Statuses a verification can be in, whatever the vendor calls them. */
export const VERIFICATION_STATUSES = ['created', 'started', 'incomplete', 'processing', 'review', 'on_hold', 'approved', 'rejected', 'completed', 'expired', 'cancelled'] as const;
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
  /** The subject's verification as the gateway tracks it once this event is applied; null when the event names no subject (or is not applied yet). */
  verification: EventVerification | null;
}

/** An event's place in its subject's verification (contract: Verification state and ordering). */
export interface EventVerification {
  /** `GET /admin/verifications/:id` */
  id: string;
  /** 1, 2, 3...: this event's place in the subject's history, in processing order. */
  sequence: number;
  /** The subject's status once this event is taken into account. */
  status: VerificationStatus | null;
  /** The subject's status before it. */
  previousStatus: VerificationStatus | null;
  /** A status event older (by occurredAt) than the status already applied: it changed nothing. */
  stale: boolean;
}
