import type { VerificationEvent } from './verification-event';

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

/**
 * An operational event as delivered: a VerificationEvent whose `type` is `T` and whose `details`
 * are that type's. It names no subject and no verification.
 */
export type OpsEvent<T extends OpsEventType = OpsEventType> = {
  [K in T]: Omit<VerificationEvent, 'type' | 'status' | 'subject' | 'details' | 'verification'> & {
    type: K;
    status: null;
    subject: Record<string, never>;
    details: OpsEventDetails[K];
    verification: null;
  };
}[T];

/** True when `event` is an operational event of a type this version knows (of `type` when given): its `details` are then typed. */
export function isOpsEvent<T extends OpsEventType = OpsEventType>(event: VerificationEvent, type?: T): event is VerificationEvent & OpsEvent<T> {
  return type === undefined ? (OPS_EVENT_TYPES as readonly string[]).includes(event.type) : event.type === type;
}

/** How a detail field is checked, by the hand-written validator and by the JSON Schema alike. */
export type DetailFieldKind = 'string' | 'string|null' | 'date-time' | 'date-time|null' | 'positive-integer';
type KindOf<V> = [V] extends [number] ? 'positive-integer' : [V] extends [string] ? 'string' | 'date-time' : [V] extends [string | null] ? 'string|null' | 'date-time|null' : never;

/**
 * The fields of each operational event's `details`, for validation. The type ties it to
 * OpsEventDetails: a field added there and not here (or the other way) does not compile.
 */
export const OPS_EVENT_DETAIL_FIELDS = {
  'ops.subscriber.paused': { subscriberId: 'string', subscriberName: 'string', reason: 'string' },
  'ops.subscriber.failing': { subscriberId: 'string', subscriberName: 'string', deliveryId: 'string', eventId: 'string', attempts: 'positive-integer', lastError: 'string|null' },
  'ops.connection.refusing': { reason: 'string', count: 'positive-integer', since: 'date-time', threshold: 'positive-integer' },
  'ops.connection.silent': { lastWebhookAt: 'date-time|null', silenceAlertSeconds: 'positive-integer' },
  'ops.verification.stuck': { verificationId: 'string', status: 'string', since: 'date-time', stuckAfterSeconds: 'positive-integer' },
} as const satisfies { [T in OpsEventType]: { [F in keyof OpsEventDetails[T]]-?: KindOf<OpsEventDetails[T][F]> } };

/** Operational events about a subscriber belong to no vendor connection: their provider and connection are GATEWAY_SOURCE. */
export const GATEWAY_SOURCED_OPS_TYPES: readonly OpsEventType[] = ['ops.subscriber.paused', 'ops.subscriber.failing'];
