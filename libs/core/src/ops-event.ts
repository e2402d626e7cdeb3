/**
 * Operational events (contract: Operational events): what needs an operator, delivered like any
 * event to subscribers whose `types` match them (`ops.*`; `*` does not include them). Raised once
 * per episode: again only after the episode ended.
 */
export const OPS_EVENT_TYPES = ['ops.subscriber.paused', 'ops.subscriber.failing', 'ops.connection.refusing', 'ops.connection.silent', 'ops.verification.stuck'] as const;
export type OpsEventType = (typeof OPS_EVENT_TYPES)[number];

/** Type prefix of operational events. */
export const OPS_TYPE_PREFIX = 'ops.';

/**
 * `provider` and `connection` of events about the gateway's own parts (subscribers), which belong
 * to no vendor connection.
 */
export const GATEWAY_SOURCE = 'gateway';

/** `details` of each operational event type. No personal data: ids, names the operator chose, reasons, counts, times. */
export interface OpsEventDetails {
  /** Auto-paused after failing every attempt for SUBSCRIBER_AUTO_PAUSE_AFTER_MS, or disabled by a 410. */
  'ops.subscriber.paused': { subscriberId: string; subscriberName: string; reason: string };
  /** A delivery failed for good (dead-lettered); the episode ends with the subscriber's next success. */
  'ops.subscriber.failing': { subscriberId: string; subscriberName: string; deliveryId: string; eventId: string; attempts: number; lastError: string | null };
  /** `count` refusals in a row (no accepted webhook between them) since `since`; `reason` the most frequent refusal reason. */
  'ops.connection.refusing': { reason: string; count: number; since: string; threshold: number };
  /** No webhook for `silenceAlertSeconds`; `lastWebhookAt` null when the connection never received one. */
  'ops.connection.silent': { lastWebhookAt: string | null; silenceAlertSeconds: number };
  /** A verification in the non-final `status` since `since` (vendor time) for longer than `stuckAfterSeconds`. */
  'ops.verification.stuck': { verificationId: string; status: string; since: string; stuckAfterSeconds: number };
}

export function isOpsType(type: string): boolean {
  return type.startsWith(OPS_TYPE_PREFIX);
}
