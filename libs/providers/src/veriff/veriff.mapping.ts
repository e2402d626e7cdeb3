import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

type Json = Readonly<Record<string, unknown>>;

/** Event webhook `action`s (devdocs.veriff.com, verification session status codes). */
export const VERIFF_EVENT_ACTIONS: readonly string[] = ['started', 'submitted'];
/** Decision webhook `verification.status` values. */
export const VERIFF_DECISION_STATUSES: readonly string[] = ['approved', 'declined', 'resubmission_requested', 'expired', 'abandoned', 'review'];
/**
 * Veriff names no event type: the gateway's `providerEventType` is the event's `action`
 * (`started`), and `decision.<verification.status>` (`decision.approved`) for a decision.
 */
export const VERIFF_DECISION_TYPE_PREFIX = 'decision.';

/** Every type the vendor documents, as `providerEventType` spells it. */
export const VERIFF_EVENT_TYPES: readonly string[] = [...VERIFF_EVENT_ACTIONS, ...VERIFF_DECISION_STATUSES.map((status) => `${VERIFF_DECISION_TYPE_PREFIX}${status}`)];

/** Maps, so `constructor` and friends never match. The label decides; the code only where the label is absent or unknown. */
const ACTION_STATUS: ReadonlyMap<string, VerificationStatus> = new Map<string, VerificationStatus>([
  ['started', 'started'],
  ['submitted', 'processing'],
]);
const EVENT_CODE_STATUS: ReadonlyMap<number, VerificationStatus> = new Map<number, VerificationStatus>([
  [7001, 'started'],
  [7002, 'processing'],
]);
const DECISION_STATUS: ReadonlyMap<string, VerificationStatus> = new Map<string, VerificationStatus>([
  ['approved', 'approved'],
  ['declined', 'rejected'],
  ['resubmission_requested', 'incomplete'],
  ['expired', 'expired'],
  ['abandoned', 'cancelled'],
  ['review', 'review'],
]);
/** 9104 stands for both `expired` and `abandoned`: alone it can only say expired. */
const DECISION_CODE_STATUS: ReadonlyMap<number, VerificationStatus> = new Map<number, VerificationStatus>([
  [9001, 'approved'],
  [9102, 'rejected'],
  [9103, 'incomplete'],
  [9104, 'expired'],
  [9121, 'review'],
]);

/**
 * Every type, and the payload variants that change a mapping: the code alone (label removed), an
 * unknown label with and without a known code, a code contradicting the label (the label wins),
 * and a historical event (`7003 tier_1_approved`) the mapping does not know.
 */
export const VERIFF_KNOWN_EVENTS: readonly VendorEventVariant[] = [
  ...VERIFF_EVENT_ACTIONS.flatMap((eventType) => [{ eventType }, { eventType, payload: { action: undefined } }, { eventType, payload: { code: undefined } }]),
  { eventType: 'started', payload: { code: 7002 } },
  { eventType: 'tier_1_approved', payload: { code: 7003 } },
  { eventType: 'something_new' },
  { eventType: 'something_new', payload: { code: 7001 } },
  ...VERIFF_DECISION_STATUSES.map((status) => `${VERIFF_DECISION_TYPE_PREFIX}${status}`).flatMap((eventType) => [{ eventType }, { eventType, payload: { status: undefined } }]),
  { eventType: 'decision.approved', payload: { code: 9102 } },
  { eventType: 'decision.something_new' },
  ...[...DECISION_CODE_STATUS.keys(), 9999].map((code) => ({ eventType: 'decision.something_new', payload: { code } })),
];

/** The facts of a Veriff webhook, whichever of its two shapes it has. */
export interface VeriffWebhook {
  readonly kind: 'event' | 'decision';
  /** The verification session: `id` of an event, `verification.id` of a decision. */
  readonly sessionId: string;
  readonly attemptId?: string;
  readonly code?: number;
  /** `action` of an event, `verification.status` of a decision. */
  readonly label?: string;
  /** Where the facts are: the body of an event, `verification` of a decision (never `person`, `document`, `technicalData`). */
  readonly facts: Json;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const isJson = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
/** Veriff sends codes as numbers; digits in a string are read too. */
const integer = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
};

/**
 * The body as an event webhook `{ id, attemptId, feature, code, action, vendorData }` (string `id`,
 * and an `action` or a `code`) or a decision webhook `{ status, verification: { id, code, status,
 * ... }, technicalData }` (string `verification.id`, and a `status` or a `code`); undefined for
 * anything else.
 */
export function readVeriffWebhook(body: unknown): VeriffWebhook | undefined {
  if (!isJson(body)) return undefined;
  const decision = isJson(body.verification);
  const facts = decision ? (body.verification as Json) : body;
  const sessionId = text(facts.id);
  const label = text(decision ? facts.status : facts.action);
  const code = integer(facts.code);
  if (sessionId === undefined || (label === undefined && code === undefined)) return undefined;
  return { kind: decision ? 'decision' : 'event', sessionId, attemptId: text(facts.attemptId), code, label, facts };
}

/** `providerEventType`: the event's `action` (else its code), `decision.<status>` (else `decision.<code>`). */
export function veriffEventType(webhook: VeriffWebhook): string {
  const name = webhook.label ?? String(webhook.code);
  return webhook.kind === 'decision' ? `${VERIFF_DECISION_TYPE_PREFIX}${name}` : name;
}

/**
 * The dedup key's input (vendors.md): Veriff sends no event id, so the session, the attempt and
 * the code with the label. A redelivery (same bytes) gives the same key; a new attempt or another
 * decision of the same attempt gives another.
 */
export function veriffDedupFields(webhook: VeriffWebhook): Record<string, string | number | null> {
  return { webhook: webhook.kind, sessionId: webhook.sessionId, attemptId: webhook.attemptId ?? null, code: webhook.code ?? null, label: webhook.label ?? null };
}

function statusOf(webhook: VeriffWebhook): VerificationStatus | undefined {
  const [byLabel, byCode] = webhook.kind === 'decision' ? [DECISION_STATUS, DECISION_CODE_STATUS] : [ACTION_STATUS, EVENT_CODE_STATUS];
  return (webhook.label === undefined ? undefined : byLabel.get(webhook.label)) ?? (webhook.code === undefined ? undefined : byCode.get(webhook.code));
}

/**
 * Veriff event or decision webhook -> normalized event. Details keep the session's facts only
 * (`code`, `reason`, `reasonCode`, `feature`, `attemptId`): never `person`, `document`,
 * `technicalData` or anything else of the body (names, birth dates, document numbers, IPs).
 */
export function mapVeriffEvent(type: string, body: Json): NormalizedEvent {
  const webhook = readVeriffWebhook(body);
  if (!webhook) return { type: `veriff.${type}`, status: null, subject: {}, details: {} };
  const status = statusOf(webhook);
  const { facts } = webhook;

  const subject: VerificationSubject = { verificationId: webhook.sessionId };
  const externalUserId = text(facts.vendorData) ?? text(body.vendorData);
  if (externalUserId) subject.externalUserId = externalUserId;

  const details: Record<string, unknown> = {};
  if (webhook.code !== undefined) details.code = webhook.code;
  const reason = text(facts.reason);
  if (reason) details.reason = reason;
  // Documented as a string, sent as a number in the samples: kept as sent.
  const reasonCode = integer(facts.reasonCode) === undefined ? undefined : facts.reasonCode;
  if (reasonCode !== undefined) details.reasonCode = reasonCode;
  const feature = text(facts.feature);
  if (feature) details.feature = feature;
  if (webhook.attemptId) details.attemptId = webhook.attemptId;

  // Only a decision has a time; an event's occurredAt is its receipt.
  const occurredAt = webhook.kind === 'decision' ? (isoTime(facts.decisionTime) ?? isoTime(facts.acceptanceTime)) : undefined;
  return status ? { type: `verification.${status}`, status, subject, details, occurredAt } : { type: `veriff.${type}`, status: null, subject, details, occurredAt };
}

/** An ISO-8601 time as ISO-8601 UTC, or undefined (the gateway then uses receivedAt). */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
