import type { NormalizedEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
import type { VendorEventVariant } from '../provider.interface';

type Json = Readonly<Record<string, unknown>>;

interface Classified {
  readonly type: string;
  readonly status: VerificationStatus | null;
}

/**
 * Inquiry (the verification) events, vendors.md. A Map so types like `constructor` never match.
 * `inquiry.transitioned` (a dynamic flow moving to its next step) has no status; vendors.md names it
 * `verification.transitioned`, a type the taxonomy does not allow, so it is the statusless
 * `verification.updated` with `details.transition` (MAPPING.md).
 */
const INQUIRY_LIFECYCLE: ReadonlyMap<string, Classified> = new Map<string, Classified>([
  ['inquiry.created', { type: 'verification.created', status: 'created' }],
  ['inquiry.started', { type: 'verification.started', status: 'started' }],
  ['inquiry.completed', { type: 'verification.completed', status: 'completed' }],
  ['inquiry.failed', { type: 'verification.rejected', status: 'rejected' }],
  ['inquiry.marked-for-review', { type: 'verification.review', status: 'review' }],
  ['inquiry.approved', { type: 'verification.approved', status: 'approved' }],
  ['inquiry.declined', { type: 'verification.rejected', status: 'rejected' }],
  ['inquiry.expired', { type: 'verification.expired', status: 'expired' }],
  ['inquiry.transitioned', { type: 'verification.updated', status: null }],
]);

/** `report/<kind>.<action>` (e.g. `report/watchlist.matched`). */
const REPORT_TYPE = /^report\/([a-z0-9][a-z0-9_-]*)\.([a-z0-9][a-z0-9_-]*)$/i;
/** `<resource>.<action>`, Persona's own spelling (kebab-case). */
const RESOURCE_TYPE = /^([a-z0-9][a-z0-9_-]*)\.([a-z0-9][a-z0-9_-]*)$/i;
/**
 * Resources whose every action passes through as `<resource>.<action>`, status null (Persona's list
 * grows: a new action of a known resource needs no change here). Persona's `verification` is one
 * check of an inquiry, not the gateway's verification: it becomes `check`.
 */
const RESOURCE_RENAMES: ReadonlyMap<string, string> = new Map([
  ['account', 'account'],
  ['case', 'case'],
  ['document', 'document'],
  ['inquiry', 'inquiry'],
  ['inquiry-session', 'inquiry-session'],
  ['selfie', 'selfie'],
  ['transaction', 'transaction'],
  ['verification', 'check'],
]);

export function classifyPersonaType(type: string): Classified {
  const lifecycle = INQUIRY_LIFECYCLE.get(type);
  if (lifecycle) return lifecycle;
  // The report's kind is in details.resourceType (`report/watchlist`): one type per action across kinds.
  const report = REPORT_TYPE.exec(type);
  if (report) return { type: `report.${report[2]}`, status: null };
  const resource = RESOURCE_TYPE.exec(type);
  const renamed = resource ? RESOURCE_RENAMES.get(resource[1]) : undefined;
  if (resource && renamed) return { type: `${renamed}.${resource[2]}`, status: null };
  return { type: `persona.${type}`, status: null };
}

const REPORT_KINDS = ['address-lookup', 'adverse-media', 'business-adverse-media', 'business-watchlist', 'email-address', 'phone-number', 'profile', 'politically-exposed-person', 'watchlist'];

/**
 * Every type Persona's events reference lists (docs.withpersona.com/events and the webhook
 * reference; vendors.md). Persona says the list grows: types not here still map by resource.
 */
export const PERSONA_EVENT_TYPES: readonly string[] = [
  ...[...INQUIRY_LIFECYCLE.keys()],
  ...['redacted', 'reusable-persona-created', 'reusable-persona-used', 'updated-tags'].map((a) => `inquiry.${a}`),
  ...['started', 'expired', 'canceled'].map((a) => `inquiry-session.${a}`),
  ...['created', 'redacted', 'archived', 'restored', 'consolidated', 'consolidated-with', 'status-updated', 'tag-added', 'tag-removed', 'updated-fields', 'updated-tags'].map((a) => `account.${a}`),
  ...['created', 'assigned', 'resolved', 'reopened', 'updated', 'status-updated'].map((a) => `case.${a}`),
  ...['created', 'submitted', 'processed', 'errored'].map((a) => `document.${a}`),
  ...['created', 'submitted', 'processed', 'errored'].map((a) => `selfie.${a}`),
  ...['created', 'labeled', 'redacted', 'status-updated'].map((a) => `transaction.${a}`),
  ...['created', 'submitted', 'passed', 'failed', 'requires-retry', 'canceled'].map((a) => `verification.${a}`),
  ...REPORT_KINDS.flatMap((kind) => ['ready', 'errored'].map((a) => `report/${kind}.${a}`)),
  ...['adverse-media', 'business-adverse-media', 'business-watchlist', 'politically-exposed-person', 'watchlist'].map((kind) => `report/${kind}.matched`),
];

/**
 * The type alone decides the mapping (the payload's status never makes a decision): every type,
 * and an inquiry decision whose payload status disagrees, to walk that it stays the type's.
 */
export const PERSONA_KNOWN_EVENTS: readonly VendorEventVariant[] = [
  ...PERSONA_EVENT_TYPES.map((eventType) => ({ eventType })),
  { eventType: 'inquiry.approved', payload: { attributes: { status: 'declined' } } },
  { eventType: 'inquiry.completed', payload: { attributes: { status: 'approved' } } },
];

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const isRecord = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const record = (value: unknown): Json => (isRecord(value) ? value : {});

/**
 * A member under its kebab-case name (`reference-id`), or the camelCase / snake_case spelling a
 * webhook configured with another key inflection sends (`referenceId`, `reference_id`).
 */
function member(object: Json, kebab: string): unknown {
  const camel = kebab.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
  const spelling = [kebab, camel, kebab.replace(/-/g, '_')].find((key) => Object.hasOwn(object, key));
  return spelling === undefined ? undefined : object[spelling];
}

/** `relationships.<name>.data.id` of a JSON:API resource (a to-one relationship). */
const relatedId = (relationships: Json, name: string): string | undefined => text(record(record(member(relationships, name)).data).id);

/**
 * Persona event `{ data: { type: 'event', id, attributes: { name, created-at, payload: { data } } } }`
 * -> normalized event. Details keep facts only (status, types, ids, step names); never the
 * resource's attributes, which hold names, birth dates, addresses and document numbers.
 */
export function mapPersonaEvent(type: string, body: Json): NormalizedEvent {
  const classified = classifyPersonaType(type);
  const event = record(body.data);
  const eventAttributes = record(event.attributes);
  const resource = record(record(member(eventAttributes, 'payload')).data);
  const resourceType = text(resource.type);
  const resourceId = text(resource.id);
  const attributes = record(resource.attributes);
  const relationships = record(resource.relationships);
  // The payload's JSON:API type says what the resource is; without one, the event name's resource.
  const kind = (resourceType ?? type).split(/[./]/)[0];
  const isInquiry = kind === 'inquiry';
  const isAccount = kind === 'account';
  const isCheck = kind === 'verification';

  const subject: VerificationSubject = {};
  const set = <K extends keyof VerificationSubject>(key: K, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) subject[key] = v;
  };
  if (isAccount) set('applicantId', resourceId);
  else set('applicantId', relatedId(relationships, 'account') ?? member(attributes, 'account-id'));
  if (isInquiry) set('verificationId', resourceId);
  else set('verificationId', relatedId(relationships, 'inquiry'));
  if (isCheck) set('checkId', resourceId);
  // An inquiry's or account's reference id is the operator's user id; other resources' are not.
  if (isInquiry || isAccount) set('externalUserId', member(attributes, 'reference-id'));

  const details: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    const v = text(value);
    if (v !== undefined) details[key] = v;
  };
  put('name', eventAttributes.name);
  put('status', attributes.status);
  put('resourceType', resourceType);
  // Resources without a subject slot keep their id, to fetch them from Persona.
  if (!isInquiry && !isAccount && !isCheck) put('resourceId', resourceId);
  if (isInquiry) put('templateId', relatedId(relationships, 'inquiry-template') ?? relatedId(relationships, 'template'));
  if (type === 'inquiry.transitioned') {
    const transition: Record<string, string> = {};
    const from = text(member(attributes, 'previous-step-name'));
    const to = text(member(attributes, 'next-step-name'));
    if (from !== undefined) transition.from = from;
    if (to !== undefined) transition.to = to;
    details.transition = transition;
  }

  return { type: classified.type, status: classified.status, subject, details, occurredAt: isoTime(member(eventAttributes, 'created-at')) };
}

/** The event's `created-at` as ISO-8601, or undefined (the gateway then uses receivedAt). */
function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
