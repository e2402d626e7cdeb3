import { GATEWAY_SOURCE, GATEWAY_SOURCED_OPS_TYPES, OPS_EVENT_DETAIL_FIELDS, OPS_EVENT_TYPES, type DetailFieldKind, type OpsEventType } from './ops-event';
import { VERIFICATION_STATUSES } from './verification-event';
import { DATE_TIME_PATTERN, SUBJECT_FIELDS } from './verification-event.schema';

/** A JSON Schema (draft-07) object. */
export type JsonSchema = { [keyword: string]: unknown };

/** The JSON Schema dialect of the schema: draft-07, the widest supported one (AsyncAPI's Schema Object is a superset of it). */
export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

const nonEmptyString: JsonSchema = { type: 'string', minLength: 1 };

/** `ops.subscriber.paused` → `OpsSubscriberPaused`: the name of its definitions. */
export function opsDefinitionName(type: OpsEventType): string {
  return type
    .split('.')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/**
 * The schema of VerificationEvent v1 and its named definitions, with references made by `ref`
 * (`#/definitions/<name>` in the JSON Schema document, `#/components/schemas/<name>` in the AsyncAPI
 * document), so both documents state the same schema. Built from the constants the hand-written
 * validator uses; the specs check that both accept and refuse the same events.
 */
export function verificationEventSchemas(ref: (name: string) => string): { event: JsonSchema; definitions: Record<string, JsonSchema> } {
  const $ref = (name: string): JsonSchema => ({ $ref: ref(name) });
  const orNull = (schema: JsonSchema): JsonSchema => ({ anyOf: [{ type: 'null' }, schema] });
  const detailSchemas: Record<DetailFieldKind, JsonSchema> = {
    string: nonEmptyString,
    'string|null': orNull(nonEmptyString),
    'date-time': $ref('DateTime'),
    'date-time|null': orNull($ref('DateTime')),
    'positive-integer': { type: 'integer', minimum: 1 },
  };

  const definitions: Record<string, JsonSchema> = {
    VerificationStatus: { description: 'A verification status, whatever the vendor calls it.', type: 'string', enum: [...VERIFICATION_STATUSES] },
    DateTime: { description: 'An RFC 3339 date-time with an explicit zone, e.g. 2024-05-01T10:00:00.000Z.', type: 'string', format: 'date-time', pattern: DATE_TIME_PATTERN },
    VerificationSubject: {
      description: "Who the event is about, in the vendor's own identifiers. Empty on operational events.",
      type: 'object',
      properties: Object.fromEntries(SUBJECT_FIELDS.map((field) => [field, { type: 'string' }])),
    },
    EventVerification: {
      description: "The subject's verification as the gateway tracks it once this event is taken into account.",
      type: 'object',
      required: ['id', 'sequence', 'status', 'previousStatus', 'stale'],
      properties: {
        id: { ...nonEmptyString, description: 'GET /admin/verifications/:id' },
        sequence: { type: 'integer', minimum: 1, description: "This event's place in the subject's history, in processing order." },
        status: orNull($ref('VerificationStatus')),
        previousStatus: orNull($ref('VerificationStatus')),
        stale: { type: 'boolean', description: 'A status event older (by occurredAt) than the status already applied: it changed nothing.' },
      },
    },
  };
  for (const type of OPS_EVENT_TYPES) {
    const name = opsDefinitionName(type);
    const fields: Record<string, DetailFieldKind> = OPS_EVENT_DETAIL_FIELDS[type];
    definitions[`${name}Details`] = {
      description: `The details of ${type}.`,
      type: 'object',
      required: Object.keys(fields),
      properties: Object.fromEntries(Object.entries(fields).map(([field, kind]) => [field, detailSchemas[kind]])),
    };
    const source: JsonSchema = GATEWAY_SOURCED_OPS_TYPES.includes(type) ? { provider: { const: GATEWAY_SOURCE }, connection: { const: GATEWAY_SOURCE } } : {};
    definitions[`${name}Event`] = {
      description: `What ${type} adds to VerificationEvent: no subject, no status, no verification, and its details.`,
      type: 'object',
      properties: {
        ...source,
        type: { const: type },
        status: { type: 'null' },
        subject: { type: 'object', maxProperties: 0 },
        details: $ref(`${name}Details`),
        verification: { type: 'null' },
      },
    };
  }

  const event: JsonSchema = {
    title: 'VerificationEvent',
    description:
      'The one shape every subscriber of the KYC webhook gateway receives, whatever the vendor (specVersion 1): a BullMQ job on a queue subscriber, the body of a signed POST to an HTTP subscriber. Unknown extra fields may appear in later versions and must be ignored.',
    type: 'object',
    required: ['specVersion', 'id', 'provider', 'connection', 'type', 'status', 'providerEventId', 'providerEventType', 'subject', 'occurredAt', 'receivedAt', 'details'],
    properties: {
      specVersion: { const: '1' },
      id: { ...nonEmptyString, description: 'Gateway event id, stable across redeliveries and replays: the idempotency key.' },
      provider: {
        ...nonEmptyString,
        description: `The vendor, e.g. allpass, complycube, verifik, sumsub, onfido, veriff, persona, stripe; '${GATEWAY_SOURCE}' for operational events about subscribers.`,
      },
      connection: { ...nonEmptyString, description: "The vendor connection's name, e.g. default." },
      type: { ...nonEmptyString, description: 'Normalized type: verification.<status>, verification.step_completed, <resource>.<action>, <provider>.<vendor type>, ops.*' },
      status: { ...orNull($ref('VerificationStatus')), description: 'The verification status this event implies, if any.' },
      providerEventId: { ...nonEmptyString, description: "The vendor's event id, or a keyed digest where the vendor sends none." },
      providerEventType: { ...nonEmptyString, description: "The vendor's own type string, verbatim." },
      subject: $ref('VerificationSubject'),
      occurredAt: $ref('DateTime'),
      receivedAt: $ref('DateTime'),
      details: { type: 'object', description: 'Vendor facts worth keeping (outcome, reason codes, step...), never personal data; per type for ops.* events.' },
      verification: { ...orNull($ref('EventVerification')), description: 'Null when the event names no subject (absent from events of gateways older than the verification state).' },
    },
    allOf: OPS_EVENT_TYPES.map((type) => ({ if: { type: 'object', required: ['type'], properties: { type: { const: type } } }, then: $ref(`${opsDefinitionName(type)}Event`) })),
  };
  return { event, definitions };
}

/** The JSON Schema document of VerificationEvent v1: served by the gateway at /schemas/verification-event.json, shipped in the package. */
export function verificationEventJsonSchema(): JsonSchema {
  const { event, definitions } = verificationEventSchemas((name) => `#/definitions/${name}`);
  return { $schema: JSON_SCHEMA_DIALECT, ...event, definitions };
}
