import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, type Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import {
  consumeVerificationEvents,
  InvalidDeliverySignatureError,
  InvalidVerificationEventError,
  parseVerificationEvent,
  verifyHttpDelivery,
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

describe('parseVerificationEvent', () => {
  it('accepts a valid event, with or without status and subject fields', () => {
    const event = sampleEvent();
    expect(parseVerificationEvent(event)).toEqual(event);
    expect(parseVerificationEvent(sampleEvent({ status: null, subject: {} })).status).toBeNull();
  });

  it('keeps unknown extra fields (forward compatibility)', () => {
    const event = { ...sampleEvent(), futureField: { a: 1 }, subject: { applicantId: 'a', tenant: 't' } };
    expect(parseVerificationEvent(event)).toMatchObject({ futureField: { a: 1 }, subject: { tenant: 't' } });
  });

  it.each<[string, Record<string, unknown>]>([
    ['specVersion', { specVersion: '2' }],
    ['specVersion', { specVersion: 1 }],
    ['id', { id: '' }],
    ['provider', { provider: undefined }],
    ['connection', { connection: 7 }],
    ['type', { type: null }],
    ['providerEventId', { providerEventId: '' }],
    ['providerEventType', { providerEventType: {} }],
    ['status', { status: 'bogus' }],
    ['status', { status: undefined }],
    ['subject', { subject: null }],
    ['subject', { subject: ['a'] }],
    ['subject.applicantId', { subject: { applicantId: 42 } }],
    ['subject.checkId', { subject: { checkId: null } }],
    ['occurredAt', { occurredAt: 'yesterday' }],
    ['occurredAt', { occurredAt: '2024-05-01T10:00:00' }],
    ['receivedAt', { receivedAt: 1714557601000 }],
    ['receivedAt', { receivedAt: '2024-13-45T10:00:00Z' }],
    ['details', { details: 'x' }],
    ['details', { details: null }],
  ])('rejects a bad %s', (field, overrides) => {
    expect(failingFields(sampleEvent(overrides))).toEqual([field]);
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

  it.each([null, undefined, 'event', 42, [], true])('rejects a non-object (%p)', (value) => {
    expect(() => parseVerificationEvent(value)).toThrow(InvalidVerificationEventError);
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
