import { randomBytes } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { DataSource, In } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { VerificationEvent } from '@kyc/core';
import { DeliveryAttemptEntity, DeliveryEntity, EventEntity, SubscriberInput, SubscriberStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { DELIVERIES_QUEUE, redisOptions, ReplayService } from '@kyc/queue';
import { aSeedVendorSet, createTestDatabase, DATABASE_KINDS, type SeedVendor, testConfig, TestDatabase, waitFor, consumeQueue } from '@kyc/testing';
import { DeliveryReconciler, SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const vendors = aSeedVendorSet();
type Vendor = SeedVendor;
const build = (provider: Vendor, type: string) => vendors.build(provider, type);
const fast = { maxAttempts: 5, backoff: { type: 'fixed' as const, delayMs: 100 } };

describe.each(DATABASE_KINDS)('delivery to subscribers on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  let dataSource: DataSource;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({
      DATABASE_URL: database.url,
      ...vendors.environment,
    });
    app = await startTestApp(config, { worker: true });
    dataSource = app.app.get(DataSource);
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await app?.close();
    await database?.drop();
  });

  // Each test's subscribers are removed after it: a later test's flood of events (the backlog
  // test sends 1,200) must not become thousands of attempts at an earlier test's failing receiver.
  const subscribed: string[] = [];
  afterEach(async () => {
    for (const id of subscribed.splice(0)) await app.app.get(SubscriberStore).delete(id);
    await app.app.get(SubscriberCache).reload();
  });

  async function subscribe(input: SubscriberInput, receiver?: Receiver) {
    const created = await app.app.get(SubscriberStore).create(input);
    subscribed.push(created.subscriber.id);
    if (receiver) receiver.secret = created.secret!;
    await app.app.get(SubscriberCache).reload();
    return created.subscriber;
  }

  const consume = (queue: string): Job<VerificationEvent>[] => {
    const consumer = consumeQueue(queue, config.env);
    closers.push(consumer.close);
    return consumer.jobs;
  };

  const send = async (provider: Vendor, type: string) => {
    const answer = await post(`${app.url}/webhooks/${provider}`, build(provider, type));
    expect(answer.status).toBe(200);
    return answer.body.eventId as string;
  };
  const deliveriesOf = (subscriberId: string) => dataSource.getRepository(DeliveryEntity).find({ where: { subscriberId } });
  const attemptsOf = async (deliveryId: string) => dataSource.getRepository(DeliveryAttemptEntity).find({ where: { deliveryId }, order: { attemptedAt: 'ASC' } });

  it('delivers each vendor to a queue subscriber and a signed HTTP subscriber, by their filters', async () => {
    const receiver = await new Receiver().start();
    closers.push(() => receiver.stop());
    const queueName = `billing-${randomBytes(3).toString('hex')}`;
    const everything = await subscribe({ name: `all-${queueName}`, kind: 'queue', queue: queueName, filter: { providers: [], types: ['*'] } });
    const decisions = await subscribe({ name: `crm-${queueName}`, kind: 'http', url: receiver.url, filter: { types: ['verification.approved', 'verification.rejected'] }, retry: fast }, receiver);
    const checksQueue = `${queueName}-checks`;
    const checks = await subscribe({ name: `checks-${queueName}`, kind: 'queue', queue: checksQueue, filter: { providers: ['complycube'], types: ['check.*'] } });
    const allJobs = consume(queueName);
    const checkJobs = consume(checksQueue);

    const allpassId = await send('allpass', 'applicantApproved');
    const complycubeId = await send('complycube', 'check.completed.attention');
    const verifikId = await send('verifik', 'verification.completed');
    const startedId = await send('verifik', 'verification.started');

    await waitFor(() => allJobs.length === 4 && receiver.received.length === 2 && checkJobs.length === 1, 15_000, 'deliveries did not arrive');
    expect(allJobs.map((job) => job.id).sort()).toEqual([allpassId, complycubeId, verifikId, startedId].sort());
    for (const job of allJobs) {
      expect(job.name).toBe(job.data.type);
      expect(job.data).toMatchObject({ specVersion: '1', id: job.id });
    }
    expect(allJobs.find((job) => job.id === complycubeId)?.data).toMatchObject({ provider: 'complycube', type: 'check.completed', details: { outcome: 'attention' } });
    expect(receiver.received.map((delivery) => delivery.eventId).sort()).toEqual([allpassId, verifikId].sort());
    expect(receiver.received.every((delivery) => delivery.signatureValid)).toBe(true);
    expect(receiver.received[0].body).toMatchObject({ specVersion: '1', type: 'verification.approved', status: 'approved' });
    expect(checkJobs.map((job) => job.id)).toEqual([complycubeId]);

    await waitFor(async () => (await deliveriesOf(decisions.id)).every((delivery) => delivery.status === 'succeeded'), 5_000);
    expect((await deliveriesOf(everything.id)).map((delivery) => delivery.status)).toEqual(Array(4).fill('succeeded'));
    expect(await deliveriesOf(decisions.id)).toHaveLength(2);
    expect(await deliveriesOf(checks.id)).toHaveLength(1);
  });

  it('keeps to filter.connections: complycube/default receives its events and none of another complycube connection', async () => {
    const sandboxSecret = 'cc-delivery-sandbox';
    const created = await fetch(`${app.url}/admin/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.adminApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'complycube', name: 'sandbox', secrets: { webhookSecret: sandboxSecret } }),
    });
    expect(created.status).toBe(201);
    const suffix = randomBytes(3).toString('hex');
    const production = await subscribe({ name: `prod-${suffix}`, kind: 'queue', queue: `prod-${suffix}`, filter: { connections: ['complycube/default'], types: ['check.*'] } });
    const sandbox = await subscribe({ name: `sandbox-${suffix}`, kind: 'queue', queue: `sandbox-${suffix}`, filter: { connections: ['sandbox'], types: ['check.*'] } });
    const productionJobs = consume(`prod-${suffix}`);
    const sandboxJobs = consume(`sandbox-${suffix}`);

    const complycube = findProvider('complycube')!;
    const sandboxRequest = complycube.simulator.build('check.completed.clear', { secrets: { webhookSecret: sandboxSecret }, options: complycube.parseOptions({}) });
    let sandboxId = '';
    // The new connection reaches the ingress's cache within CONNECTION_CACHE_TTL_MS.
    await waitFor(
      async () => {
        const answer = await post(`${app.url}/webhooks/complycube/sandbox`, sandboxRequest);
        sandboxId = answer.body.eventId as string;
        return answer.status === 200;
      },
      5_000,
      'the sandbox connection did not take webhooks',
    );
    const productionId = await send('complycube', 'check.completed.clear');

    await waitFor(() => productionJobs.length >= 1 && sandboxJobs.length >= 1, 15_000, 'deliveries did not arrive');
    expect(sandboxJobs.map((job) => job.id)).toEqual([sandboxId]);
    expect(sandboxJobs[0].data).toMatchObject({ provider: 'complycube', connection: 'sandbox' });
    expect(productionJobs.map((job) => job.id)).toEqual([productionId]);
    expect(productionJobs[0].data).toMatchObject({ provider: 'complycube', connection: 'default' });
    // Both events were dispatched by now (their records follow the hand-over): the sandbox one made no delivery for production, nor the other way round.
    await waitFor(async () => (await deliveriesOf(production.id)).length > 0 && (await deliveriesOf(sandbox.id)).length > 0, 5_000, 'delivery records missing');
    expect((await deliveriesOf(production.id)).map((delivery) => delivery.eventId)).toEqual([productionId]);
    expect((await deliveriesOf(sandbox.id)).map((delivery) => delivery.eventId)).toEqual([sandboxId]);
  });

  it('retries a failing HTTP subscriber with growing delays until it answers 2xx', async () => {
    const receiver = await new Receiver([500, 500, 200]).start();
    closers.push(() => receiver.stop());
    const subscriber = await subscribe(
      { name: `flaky-${randomBytes(3).toString('hex')}`, kind: 'http', url: receiver.url, retry: { maxAttempts: 5, backoff: { type: 'exponential', delayMs: 300 } } },
      receiver,
    );
    await send('allpass', 'applicantRejected');
    await waitFor(async () => (await deliveriesOf(subscriber.id))[0]?.status === 'succeeded', 15_000, 'flaky delivery did not succeed');
    const [delivery] = await deliveriesOf(subscriber.id);
    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((attempt) => [attempt.outcome, attempt.httpStatus])).toEqual([
      ['failed', 500],
      ['failed', 500],
      ['succeeded', 200],
    ]);
    const gaps = [attempts[1].attemptedAt.getTime() - attempts[0].attemptedAt.getTime(), attempts[2].attemptedAt.getTime() - attempts[1].attemptedAt.getTime()];
    expect(gaps[0]).toBeGreaterThanOrEqual(225);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(delivery.attempts).toBe(3);
  });

  it('dead-letters a delivery after maxAttempts, visible with its attempts', async () => {
    const receiver = await new Receiver([503]).start();
    closers.push(() => receiver.stop());
    const subscriber = await subscribe(
      { name: `down-${randomBytes(3).toString('hex')}`, kind: 'http', url: receiver.url, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 100 } } },
      receiver,
    );
    await send('complycube', 'workflow.session.completed');
    await waitFor(async () => (await deliveriesOf(subscriber.id))[0]?.status === 'failed', 15_000, 'delivery did not end failed');
    const [delivery] = await deliveriesOf(subscriber.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 503' });
    expect(await attemptsOf(delivery.id)).toHaveLength(3);
    expect(receiver.received).toHaveLength(3);
  });

  it('holds deliveries of a disabled subscriber and resumes them when it is enabled', async () => {
    const queueName = `paused-${randomBytes(3).toString('hex')}`;
    const subscriber = await subscribe({ name: queueName, kind: 'queue', queue: queueName, enabled: false });
    const jobs = consume(queueName);
    const eventId = await send('verifik', 'verification.expired');
    await waitFor(async () => (await deliveriesOf(subscriber.id)).length === 1, 5_000);
    // The dispatch is over (a hand-over comes before the event is marked dispatched): nothing is on the queue.
    await waitFor(async () => (await dataSource.getRepository(EventEntity).findOneByOrFail({ id: eventId })).dispatchedAt !== null, 5_000);
    const queue = new Queue(queueName, { connection: redisOptions(config.env.REDIS_URL, 'producer'), prefix: config.env.QUEUE_PREFIX });
    closers.push(() => queue.close());
    expect(await queue.count()).toBe(0);
    expect(jobs).toHaveLength(0);
    expect((await deliveriesOf(subscriber.id))[0].status).toBe('pending');

    await app.app.get(SubscriberStore).update(subscriber.id, { enabled: true });
    await app.app.get(SubscriberCache).reload();
    await waitFor(() => jobs.length === 1, 10_000, 'resumed delivery did not arrive');
    expect(jobs[0].id).toBe(eventId);
  });

  it('releases a backlog of more than one page at once when the subscriber is enabled again', async () => {
    const queueName = `backlog-${randomBytes(3).toString('hex')}`;
    const subscriber = await subscribe({ name: queueName, kind: 'queue', queue: queueName, filter: { providers: ['complycube'], types: ['*'] }, enabled: false });
    const total = 1_200; // the reconciler reads 500 at a time
    for (let sent = 0; sent < total; sent += 100) await Promise.all(Array.from({ length: 100 }, () => send('complycube', 'client.updated')));
    await waitFor(async () => (await deliveriesOf(subscriber.id)).length === total, 30_000, 'deliveries were not all created');

    await app.app.get(SubscriberStore).update(subscriber.id, { enabled: true });
    await app.app.get(SubscriberCache).reload();
    const queue = new Queue(queueName, { connection: redisOptions(config.env.REDIS_URL, 'producer'), prefix: config.env.QUEUE_PREFIX });
    closers.push(() => queue.close());
    await waitFor(async () => (await queue.getWaitingCount()) === total, 20_000, 'the backlog was not released');
    await waitFor(async () => (await deliveriesOf(subscriber.id)).every((delivery) => delivery.status === 'succeeded' && delivery.attempts === 1), 10_000);
    const attempts = await dataSource.getRepository(DeliveryAttemptEntity).countBy({ deliveryId: In((await deliveriesOf(subscriber.id)).map((delivery) => delivery.id)) });
    expect(attempts).toBe(total);
  });

  it('re-queues pending deliveries whose jobs Redis lost', async () => {
    const receiver = await new Receiver([500, 200]).start();
    closers.push(() => receiver.stop());
    const subscriber = await subscribe(
      { name: `lost-${randomBytes(3).toString('hex')}`, kind: 'http', url: receiver.url, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 60_000 } } },
      receiver,
    );
    await send('allpass', 'applicantOnHold');
    await waitFor(async () => (await deliveriesOf(subscriber.id))[0]?.attempts === 1, 10_000);
    // The retry is a delayed job a minute away; lose it, and make the delivery overdue.
    const deliveries = new Queue(DELIVERIES_QUEUE, { connection: redisOptions(config.env.REDIS_URL, 'producer'), prefix: config.env.QUEUE_PREFIX });
    closers.push(() => deliveries.close());
    const [delivery] = await deliveriesOf(subscriber.id);
    expect(await deliveries.getJobState(`${delivery.id}:0:1`)).toBe('delayed');
    await deliveries.remove(`${delivery.id}:0:1`);
    await dataSource.getRepository(DeliveryEntity).update({ id: delivery.id }, { nextAttemptAt: new Date(Date.now() - 1_000) });

    expect(await app.app.get(DeliveryReconciler).reconcile(0)).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await deliveriesOf(subscriber.id))[0].status === 'succeeded', 10_000, 'lost delivery was not re-queued');
    expect(receiver.received.map((delivery) => delivery.status)).toEqual([500, 200]);
  });

  it('replays an event as a new job and retries a dead-lettered delivery on demand', async () => {
    const queueName = `replay-${randomBytes(3).toString('hex')}`;
    const subscriber = await subscribe({ name: queueName, kind: 'queue', queue: queueName, filter: { providers: ['allpass'], types: ['verification.*'] } });
    const jobs = consume(queueName);
    const eventId = await send('allpass', 'applicantCompleted');
    await waitFor(() => jobs.length === 1, 10_000);

    const replay = app.app.get(ReplayService);
    const replayed = await replay.replayEvent(eventId);
    expect(replayed.find((delivery) => delivery.subscriberId === subscriber.id)).toMatchObject({ replays: 1, status: 'pending' });
    await waitFor(() => jobs.length === 2, 10_000, 'replay did not arrive');
    expect((await replay.replayEvent(eventId, [subscriber.id])).map((delivery) => delivery.replays)).toEqual([2]);
    await waitFor(() => jobs.length === 3, 10_000, 'second replay did not arrive');
    expect(jobs.map((job) => job.id).sort()).toEqual([eventId, `${eventId}:replay:1`, `${eventId}:replay:2`].sort());
    expect(jobs[1].data).toEqual(jobs[0].data);
    expect(await deliveriesOf(subscriber.id)).toHaveLength(1);

    const receiver = await new Receiver([500]).start();
    closers.push(() => receiver.stop());
    const http = await subscribe({ name: `retry-${queueName}`, kind: 'http', url: receiver.url, retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 100 } } }, receiver);
    await send('verifik', 'verification.failed');
    await waitFor(async () => (await deliveriesOf(http.id))[0]?.status === 'failed', 10_000);
    receiver['statuses'] = [200];
    await replay.retryDelivery((await deliveriesOf(http.id))[0].id);
    await waitFor(async () => (await deliveriesOf(http.id))[0]?.status === 'succeeded', 10_000, 'retried delivery did not succeed');
    expect(receiver.received.map((delivery) => delivery.status)).toEqual([500, 500, 200]);
  });
});
