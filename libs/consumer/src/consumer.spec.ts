import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, type Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { verificationEventChecker } from '@kyc/testing';
import {
  consumeVerificationEvents,
  InvalidDeliverySignatureError,
  InvalidVerificationEventError,
  isOpsEvent,
  OPS_EVENT_TYPES,
  parseVerificationEvent,
  VERIFICATION_STATUSES,
  verificationEventJsonSchema,
  verifyHttpDelivery,
  type OpsEventDetails,
  type OpsEventType,
  type VerificationEvent,
  type VerificationEventContext,
} from './index';

function sampleEvent(overrides: Record<string, unknown> = {}): VerificationEvent {
  return {
    specVersion: '1',
    id: randomUUID(),
    provider: 'allpass',
    connection: 'default',
    type: 'verification.approved',
    status: 'approved',
    providerEventId: 'evt_123',
    providerEventType: 'applicantApproved',
    subject: { applicantId: 'app_1', externalUserId: 'user_42' },
    occurredAt: '2024-05-01T10:00:00.000Z',
    receivedAt: '2024-05-01T10:00:01.000Z',
    details: { outcome: 'clear' },
    verification: { id: randomUUID(), sequence: 2, status: 'approved', previousStatus: 'review', stale: false },
    ...overrides,
  };
}

/** An operational event as the gateway raises it (contract: Operational events). */
function opsEvent(type: OpsEventType, overrides: Record<string, unknown> = {}): VerificationEvent {
  const gatewaySourced = type.startsWith('ops.subscriber.');
  return sampleEvent({
    provider: gatewaySourced ? 'gateway' : 'complycube',
    connection: gatewaySourced ? 'gateway' : 'default',
    type,
    status: null,
    providerEventId: `${type}:episode-1`,
    providerEventType: type,
    subject: {},
    details: OPS_DETAILS[type],
    verification: null,
    ...overrides,
  });
}

const OPS_DETAILS: { [T in OpsEventType]: OpsEventDetails[T] } = {
  'ops.subscriber.paused': { subscriberId: 'sub_1', subscriberName: 'billing', reason: 'HTTP 410 from crm.example.com' },
  'ops.subscriber.failing': { subscriberId: 'sub_1', subscriberName: 'billing', deliveryId: 'del_1', eventId: 'evt_1', attempts: 10, lastError: null },
  'ops.connection.refusing': { reason: 'invalid_signature', count: 25, since: '2024-05-01T09:00:00.000Z', threshold: 20 },
  'ops.connection.silent': { lastWebhookAt: null, silenceAlertSeconds: 3600 },
  'ops.verification.stuck': { verificationId: 'ver_1', status: 'processing', since: '2024-05-01T09:00:00+02:00', stuckAfterSeconds: 86400 },
};

/** Accepted by the hand-written validator and by the JSON Schema alike. */
const GOOD_SAMPLES: [string, unknown][] = [
  ['a decision', sampleEvent()],
  ['no status, empty subject', sampleEvent({ status: null, subject: {} })],
  ['no verification (a gateway older than the verification state)', (({ verification: _, ...rest }) => rest)(sampleEvent())],
  ['a stale event', sampleEvent({ verification: { id: 'v', sequence: 3, status: 'approved', previousStatus: 'approved', stale: true } })],
  ['extra fields (a newer gateway)', { ...sampleEvent(), futureField: { a: 1 }, subject: { applicantId: 'a', tenant: 't' } }],
  ['an offset instead of Z', sampleEvent({ occurredAt: '2024-05-01T12:00:00+02:00' })],
  ['a 29 February', sampleEvent({ occurredAt: '2024-02-29T00:00:00Z' })],
  ['an unknown ops type (a newer gateway)', sampleEvent({ type: 'ops.gateway.future', status: null, details: { anything: true } })],
  ...OPS_EVENT_TYPES.map((type): [string, unknown] => [type, opsEvent(type)]),
  ['ops details with more fields', opsEvent('ops.subscriber.paused', { details: { ...OPS_DETAILS['ops.subscriber.paused'], extra: 1 } })],
  ['ops.subscriber.failing with its last error', opsEvent('ops.subscriber.failing', { details: { ...OPS_DETAILS['ops.subscriber.failing'], lastError: 'HTTP 503' } })],
  ['ops.connection.silent after a webhook', opsEvent('ops.connection.silent', { details: { lastWebhookAt: '2024-05-01T09:00:00.000Z', silenceAlertSeconds: 60 } })],
];

/** Refused by both, with the field the hand-written validator names. */
const BAD_SAMPLES: [string, unknown][] = [
  ['specVersion', sampleEvent({ specVersion: '2' })],
  ['specVersion', sampleEvent({ specVersion: 1 })],
  ['id', sampleEvent({ id: '' })],
  ['provider', sampleEvent({ provider: undefined })],
  ['connection', sampleEvent({ connection: 7 })],
  ['type', sampleEvent({ type: null })],
  ['providerEventId', sampleEvent({ providerEventId: '' })],
  ['providerEventType', sampleEvent({ providerEventType: {} })],
  ['status', sampleEvent({ status: 'bogus' })],
  ['status', sampleEvent({ status: undefined })],
  ['subject', sampleEvent({ subject: null })],
  ['subject', sampleEvent({ subject: ['a'] })],
  ['subject.applicantId', sampleEvent({ subject: { applicantId: 42 } })],
  ['subject.checkId', sampleEvent({ subject: { checkId: null } })],
  ['occurredAt', sampleEvent({ occurredAt: 'yesterday' })],
  ['occurredAt', sampleEvent({ occurredAt: '2024-05-01T10:00:00' })],
  ['occurredAt', sampleEvent({ occurredAt: '2024-05-01T10:00Z' })],
  ['occurredAt', sampleEvent({ occurredAt: '2023-02-29T10:00:00Z' })],
  ['occurredAt', sampleEvent({ occurredAt: '2024-05-01T24:00:00Z' })],
  ['receivedAt', sampleEvent({ receivedAt: 1714557601000 })],
  ['receivedAt', sampleEvent({ receivedAt: '2024-13-45T10:00:00Z' })],
  ['details', sampleEvent({ details: 'x' })],
  ['details', sampleEvent({ details: null })],
  ['verification', sampleEvent({ verification: 'v' })],
  ['verification.sequence', sampleEvent({ verification: { id: 'v', sequence: 0, status: null, previousStatus: null, stale: false } })],
  ['verification.stale', sampleEvent({ verification: { id: 'v', sequence: 1, status: null, previousStatus: null } })],
  ['verification.previousStatus', sampleEvent({ verification: { id: 'v', sequence: 1, status: null, previousStatus: 'done', stale: false } })],
  ['status', opsEvent('ops.verification.stuck', { status: 'processing' })],
  ['subject', opsEvent('ops.verification.stuck', { subject: { applicantId: 'app_1' } })],
  ['verification', opsEvent('ops.connection.silent', { verification: { id: 'v', sequence: 1, status: null, previousStatus: null, stale: false } })],
  ['provider', opsEvent('ops.subscriber.paused', { provider: 'complycube' })],
  ['details.reason', opsEvent('ops.subscriber.paused', { details: { subscriberId: 'sub_1', subscriberName: 'billing' } })],
  ['details.attempts', opsEvent('ops.subscriber.failing', { details: { ...OPS_DETAILS['ops.subscriber.failing'], attempts: 1.5 } })],
  ['details.lastError', opsEvent('ops.subscriber.failing', { details: { ...OPS_DETAILS['ops.subscriber.failing'], lastError: 503 } })],
  ['details.since', opsEvent('ops.connection.refusing', { details: { ...OPS_DETAILS['ops.connection.refusing'], since: 'an hour ago' } })],
  ['details.lastWebhookAt', opsEvent('ops.connection.silent', { details: { lastWebhookAt: '', silenceAlertSeconds: 60 } })],
  ['details.stuckAfterSeconds', opsEvent('ops.verification.stuck', { details: { ...OPS_DETAILS['ops.verification.stuck'], stuckAfterSeconds: 0 } })],
];

/** The fields an InvalidVerificationEventError names, or fails the test if nothing was thrown. */
function failingFields(value: unknown): string[] {
  try {
    parseVerificationEvent(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidVerificationEventError);
    return (error as InvalidVerificationEventError).fields;
  }
  throw new Error('expected parseVerificationEvent to throw');
}

describe('parseVerificationEvent and the JSON Schema, on the same samples', () => {
  const checker = verificationEventChecker();

  it.each(GOOD_SAMPLES)('both accept %s', (_label, value) => {
    expect(checker.parser(value)).toEqual([]);
    expect(checker.jsonSchema(value)).toEqual([]);
  });

  it.each(BAD_SAMPLES)('both refuse a bad %s', (field, value) => {
    expect(failingFields(value)).toEqual([field]);
    expect(checker.jsonSchema(value)).not.toEqual([]);
  });

  it.each([null, undefined, 'event', 42, [], true])('both refuse a non-object (%p)', (value) => {
    expect(() => parseVerificationEvent(value)).toThrow(InvalidVerificationEventError);
    expect(checker.jsonSchema(value)).not.toEqual([]);
  });

  it('returns the event as it came, unknown fields included, with verification null when absent', () => {
    const event = { ...sampleEvent(), futureField: { a: 1 } };
    expect(parseVerificationEvent(event)).toEqual(event);
    const { verification: _, ...older } = sampleEvent();
    expect(parseVerificationEvent(older).verification).toBeNull();
  });

  it('lists every failing field and never echoes payload values', () => {
    const secretValue = 'PII-john.doe@example.com';
    try {
      parseVerificationEvent(sampleEvent({ id: '', status: secretValue, details: secretValue }));
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidVerificationEventError);
      expect((error as InvalidVerificationEventError).fields).toEqual(['id', 'status', 'details']);
      expect((error as Error).message).toMatch(/id .*status .*details/);
      expect((error as Error).message).not.toContain(secretValue);
    }
  });

  it('types the details of a known operational event', () => {
    const event = parseVerificationEvent(opsEvent('ops.connection.refusing'));
    expect(isOpsEvent(event)).toBe(true);
    expect(isOpsEvent(event, 'ops.connection.refusing') && event.details.count).toBe(25);
    expect(isOpsEvent(event, 'ops.subscriber.paused')).toBe(false);
    expect(isOpsEvent(sampleEvent())).toBe(false);
  });

  it('states the same statuses and operational types as the code, as plain JSON', () => {
    const schema = verificationEventJsonSchema() as { $schema: string; definitions: Record<string, { enum?: unknown[] }>; allOf: unknown[] };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.definitions.VerificationStatus.enum).toEqual([...VERIFICATION_STATUSES]);
    expect(schema.allOf).toHaveLength(OPS_EVENT_TYPES.length);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

describe('verifyHttpDelivery', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const event = sampleEvent();
  const body = JSON.stringify(event);

  function signedHeaders(options: { at?: Date; key?: string; payload?: string } = {}): Record<string, string> {
    const at = options.at ?? new Date();
    return {
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(options.key ?? secret).sign(event.id, at, options.payload ?? body),
    };
  }

  it('accepts a signed delivery, from a string or a Buffer, with any header case or array values', () => {
    expect(verifyHttpDelivery(secret, body, signedHeaders())).toEqual(event);
    const upper = Object.fromEntries(Object.entries(signedHeaders()).map(([k, v]) => [k.toUpperCase(), [v, 'ignored']]));
    expect(verifyHttpDelivery(secret, Buffer.from(body), { ...upper, 'content-type': 'application/json' })).toEqual(event);
  });

  it('refuses a tampered body', () => {
    const tampered = body.replace('approved', 'rejected');
    expect(() => verifyHttpDelivery(secret, tampered, signedHeaders())).toThrow(InvalidDeliverySignatureError);
  });

  it('refuses a signature made with another secret', () => {
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    expect(() => verifyHttpDelivery(secret, body, signedHeaders({ key: other }))).toThrow(InvalidDeliverySignatureError);
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('refuses a delivery without %s', (header) => {
    const headers: Record<string, string | undefined> = { ...signedHeaders(), [header]: undefined };
    expect(() => verifyHttpDelivery(secret, body, headers)).toThrow(InvalidDeliverySignatureError);
  });

  it('refuses a timestamp 10 minutes old', () => {
    const headers = signedHeaders({ at: new Date(Date.now() - 10 * 60_000) });
    expect(() => verifyHttpDelivery(secret, body, headers)).toThrow(InvalidDeliverySignatureError);
  });

  it('reports a correctly signed body that is not a VerificationEvent as such', () => {
    const payload = JSON.stringify({ ...event, status: 'bogus' });
    expect(() => verifyHttpDelivery(secret, payload, signedHeaders({ payload }))).toThrow(InvalidVerificationEventError);
    expect(() => verifyHttpDelivery(secret, 'not json', signedHeaders({ payload: 'not json' }))).toThrow(InvalidVerificationEventError);
  });
});

describe('consumeVerificationEvents (real Redis)', () => {
  const redisUrl = 'redis://127.0.0.1:6379';
  const prefix = `test-consumer-${randomBytes(4).toString('hex')}`;
  const queueName = 'kyc-billing';
  const received: { event: VerificationEvent; context: VerificationEventContext }[] = [];
  /** Event ids whose first attempt the handler fails. */
  const failOnce = new Set<string>();
  let queue: Queue;
  let worker: Worker<unknown, void, string>;

  async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await check();
      if (result !== undefined) return result;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const callsFor = (id: string) => received.filter((r) => r.event.id === id);

  beforeAll(() => {
    queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    worker = consumeVerificationEvents({
      queue: queueName,
      connection: redisUrl,
      prefix,
      concurrency: 2,
      handler: async (event, context) => {
        received.push({ event, context });
        if (context.attempt === 1 && failOnce.has(event.id)) throw new Error('transient failure');
      },
    });
  });

  afterAll(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('hands a valid job to the handler as a typed event', async () => {
    const event = sampleEvent();
    await queue.add(event.type, event, { jobId: event.id });
    const [call] = await waitFor(() => (callsFor(event.id).length ? callsFor(event.id) : undefined));
    expect(call.event).toEqual(event);
    expect(call.context).toMatchObject({ isReplay: false, attempt: 1 });
    expect(call.context.job.id).toBe(event.id);
  });

  it('flags a replay job', async () => {
    const event = sampleEvent();
    await queue.add(event.type, event, { jobId: `${event.id}:replay:1` });
    const [call] = await waitFor(() => (callsFor(event.id).length ? callsFor(event.id) : undefined));
    expect(call.context.isReplay).toBe(true);
    expect(call.context.isStale).toBe(false);
  });

  it('flags a stale event', async () => {
    const event = sampleEvent({ verification: { id: randomUUID(), sequence: 3, status: 'rejected', previousStatus: 'rejected', stale: true } });
    await queue.add(event.type, event, { jobId: event.id });
    const [call] = await waitFor(() => (callsFor(event.id).length ? callsFor(event.id) : undefined));
    expect(call.context).toMatchObject({ isStale: true, isReplay: false });
  });

  it('fails an invalid job without retrying it', async () => {
    const event = sampleEvent({ status: 'bogus' });
    const job = await queue.add(event.type, event, { jobId: event.id, attempts: 3 });
    await waitFor(async () => ((await job.getState()) === 'failed' ? true : undefined));
    const failed = await queue.getJob(event.id);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toContain('status');
    expect(callsFor(event.id)).toHaveLength(0);
  });

  it('retries a job whose handler threw', async () => {
    const event = sampleEvent();
    failOnce.add(event.id);
    const job = await queue.add(event.type, event, { jobId: event.id, attempts: 3 });
    await waitFor(async () => ((await job.getState()) === 'completed' ? true : undefined));
    expect(callsFor(event.id).map((c) => c.context.attempt)).toEqual([1, 2]);
  });
});

describe('consumeVerificationEvents on a Redis Cluster', () => {
  // Never connects: the checks run before any worker starts (the cluster itself is in the fault suite).
  const clusterWith = (maxRetriesPerRequest: number | null) => new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, redisOptions: { maxRetriesPerRequest } });
  const consume = (connection: Cluster, prefix?: string) => consumeVerificationEvents({ queue: 'kyc-billing', connection, prefix, handler: () => undefined });

  it("refuses a prefix without the gateway's hash tag", () => {
    const cluster = clusterWith(null);
    expect(() => consume(cluster)).toThrow("prefix 'kyc' has no hash tag: on a Redis Cluster give the gateway's QUEUE_PREFIX, which has one (e.g. '{kyc}')");
    expect(() => consume(cluster, 'billing')).toThrow(/hash tag/);
    cluster.disconnect();
  });

  it('refuses a cluster whose nodes give up on blocking commands', () => {
    const cluster = clusterWith(20);
    expect(() => consume(cluster, '{kyc}')).toThrow('a Cluster connection needs redisOptions: { maxRetriesPerRequest: null } (BullMQ workers block on it)');
    cluster.disconnect();
  });
});
