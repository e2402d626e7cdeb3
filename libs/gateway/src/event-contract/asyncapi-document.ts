import { OPS_EVENT_TYPES } from '@kyc/core';
import { opsDefinitionName, verificationEventSchemas, type JsonSchema } from '@kyc/consumer/verification-event.json-schema';

/** Where the gateway serves the event's JSON Schema (public) and the AsyncAPI document (beside /docs, protected like it). */
export const VERIFICATION_EVENT_SCHEMA_PATH = '/schemas/verification-event.json';
export const ASYNCAPI_DOCUMENT_PATH = '/docs/asyncapi.json';

const ref = (path: string) => ({ $ref: path });
const schemaRef = (name: string) => `#/components/schemas/${name}`;

/** Message names: one for any event, one per operational event type (its `details` typed). */
const OPS_MESSAGES = OPS_EVENT_TYPES.map((type) => ({ type, name: opsDefinitionName(type) }));

/**
 * The outbound side of the gateway as an AsyncAPI 3.0 document: what a subscriber receives on its
 * queue (a BullMQ job) or at its URL (a signed POST). Self-contained: its schemas are the JSON
 * Schema of /schemas/verification-event.json, built by the same code, so tools that cannot fetch
 * it (AsyncAPI Studio, code generators) still read the whole contract.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const { event, definitions } = verificationEventSchemas(schemaRef);
  const messagesOf = (channel: 'queue' | 'http') => {
    const traits = channel === 'http' ? { traits: [ref('#/components/messageTraits/standardWebhooks')] } : {};
    const jobBinding = channel === 'queue' ? { 'x-bullmq': { jobName: '$message.payload#/type', jobId: '$message.payload#/id', replayJobId: '<eventId>:replay:<n>', dataIsPayload: true } } : {};
    const common = { contentType: 'application/json', correlationId: ref('#/components/correlationIds/eventId'), ...traits, ...jobBinding };
    return {
      [`${channel}VerificationEvent`]: {
        name: 'VerificationEvent',
        title: 'Any event',
        summary: 'A verification, resource, vendor-specific or operational event, as its `type` says.',
        payload: ref(schemaRef('VerificationEvent')),
        ...common,
      },
      ...Object.fromEntries(
        OPS_MESSAGES.map(({ type, name }) => [
          `${channel}${name}`,
          {
            name: type,
            title: type,
            summary: `The operational event ${type}, with its details (delivered only to subscribers whose types match ops.*).`,
            payload: { allOf: [ref(schemaRef('VerificationEvent')), ref(schemaRef(`${name}Event`))] },
            ...common,
          },
        ]),
      ),
    };
  };
  const queueMessages = messagesOf('queue');
  const httpMessages = messagesOf('http');
  const channelMessages = (messages: Record<string, unknown>) => Object.fromEntries(Object.keys(messages).map((name) => [name, ref(`#/components/messages/${name}`)]));
  const operationMessages = (channel: string, messages: Record<string, unknown>) => Object.keys(messages).map((name) => ref(`#/channels/${channel}/messages/${name}`));

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'KYC webhook gateway: events to subscribers',
      version: '1',
      description: [
        'Every event the gateway delivers is a VerificationEvent (specVersion 1), whatever the vendor; its JSON Schema (draft-07) is served at ' +
          `${VERIFICATION_EVENT_SCHEMA_PATH} and shipped in the consumer package (@kyc-webhook-gateway/consumer).`,
        'Delivery is at least once: the same event can come again (a retry, a redelivery, a replay), so receivers are idempotent on the event `id`. ' +
          'Stale status events (`verification.stale`: true) reach only subscribers whose filter says `includeStale: true`.',
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    channels: {
      subscriberQueue: {
        address: '{queue}',
        title: 'Queue subscriber',
        description:
          "The subscriber's own BullMQ queue, in the gateway's Redis under its QUEUE_PREFIX (default `kyc`). One job per event: job name = the event `type`, " +
          "job data = the event, job id = the event id (an operator's replay: `<eventId>:replay:<n>`). The gateway keeps completed jobs 7 days and allows the consumer 5 attempts.",
        parameters: { queue: { description: "The subscriber's `queue`, e.g. kyc-billing." } },
        messages: channelMessages(queueMessages),
      },
      subscriberHttp: {
        address: '{url}',
        title: 'HTTP subscriber',
        description:
          "A POST of the event JSON to the subscriber's `url`, signed per Standard Webhooks with the subscriber's `whsec_` secret. A 2xx within `timeoutMs` is success; " +
          "anything else is retried per the subscriber's `retry`; 410 disables the subscriber; 429/503 with Retry-After are honoured.",
        parameters: { url: { description: "The subscriber's `url`." } },
        messages: channelMessages(httpMessages),
      },
    },
    operations: {
      deliverToQueue: {
        action: 'send',
        title: 'Deliver to a queue subscriber',
        channel: ref('#/channels/subscriberQueue'),
        messages: operationMessages('subscriberQueue', queueMessages),
      },
      deliverToHttp: {
        action: 'send',
        title: 'Deliver to an HTTP subscriber',
        channel: ref('#/channels/subscriberHttp'),
        bindings: { http: { method: 'POST', bindingVersion: '0.3.0' } },
        messages: operationMessages('subscriberHttp', httpMessages),
      },
    },
    components: {
      schemas: {
        VerificationEvent: event,
        ...definitions,
        StandardWebhooksHeaders: standardWebhooksHeaders(),
      },
      messages: { ...queueMessages, ...httpMessages },
      messageTraits: {
        standardWebhooks: {
          headers: ref(schemaRef('StandardWebhooksHeaders')),
          bindings: { http: { bindingVersion: '0.3.0' } },
        },
      },
      correlationIds: {
        eventId: { description: 'The gateway event id: the job id on a queue, the webhook-id header over HTTP.', location: '$message.payload#/id' },
      },
    },
  };
}

function standardWebhooksHeaders(): JsonSchema {
  return {
    description: 'Standard Webhooks (https://www.standardwebhooks.com): verify them on the raw body, e.g. with verifyHttpDelivery of the consumer package.',
    type: 'object',
    required: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    properties: {
      'content-type': { const: 'application/json' },
      'webhook-id': { type: 'string', minLength: 1, description: 'The event id (the same on every attempt and replay).' },
      'webhook-timestamp': { type: 'string', pattern: '^\\d+$', description: 'Unix seconds of this attempt; refuse one more than 5 minutes away.' },
      'webhook-signature': {
        type: 'string',
        pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$',
        description: 'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>"> with the secret after whsec_ (base64-decoded); Standard Webhooks allows several, space-separated.',
      },
    },
  };
}
