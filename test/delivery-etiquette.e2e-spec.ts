import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { DeliveryAttemptEntity, DeliveryEntity, Subscriber, SubscriberEntity, SubscriberInput, SubscriberStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SECRET = 'cc-etiquette';
const MAX_RETRY_AFTER_SECONDS = 3;
const AUTO_PAUSE_AFTER_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After, 410 Gone and automatic pause toward HTTP subscribers, over real HTTP and a real worker. */
describe.each(DATABASE_KINDS)('delivery etiquette on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  let dataSource: DataSource;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({
      DATABASE_URL: database.url,
      COMPLYCUBE_WEBHOOK_SECRET: SECRET,
      SUBSCRIBER_MAX_RETRY_AFTER_SECONDS: String(MAX_RETRY_AFTER_SECONDS),
      SUBSCRIBER_AUTO_PAUSE_AFTER_MS: String(AUTO_PAUSE_AFTER_MS),
    });
    app = await startTestApp(config, { worker: true });
    dataSource = app.app.get(DataSource);
  });

  afterAll(async () => {
    for (const receiver of receivers) await receiver.stop();
    await app?.close();
    await database?.drop();
  });

  async function receiver(statuses: number[], headers: Record<string, string> = {}): Promise<Receiver> {
    const started = await new Receiver(statuses).start();
    started.headers = headers;
    receivers.push(started);
    return started;
  }

  async function subscribe(target: Receiver, input: Partial<Omit<SubscriberInput, 'kind'>> = {}): Promise<Subscriber> {
    const created = await app.app.get(SubscriberStore).create({ name: `http-${randomBytes(4).toString('hex')}`, ...input, kind: 'http', url: target.url });
    target.secret = created.secret!;
    await app.app.get(SubscriberCache).reload();
    return created.subscriber;
  }

  const send = async () => {
    const adapter = findProvider('complycube')!;
    const request = adapter.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: adapter.parseOptions({}) });
    const answer = await post(`${app.url}/webhooks/complycube`, request);
    expect(answer.status).toBe(200);
    return answer.body.eventId as string;
  };
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${config.adminApiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Subscriber };
  };
  const deliveriesOf = (subscriberId: string) => dataSource.getRepository(DeliveryEntity).find({ where: { subscriberId }, order: { id: 'ASC' } });
  const attemptsOf = (deliveryId: string) => dataSource.getRepository(DeliveryAttemptEntity).find({ where: { deliveryId }, order: { attemptedAt: 'ASC' } });
  const rowOf = (id: string) => dataSource.getRepository(SubscriberEntity).findOneByOrFail({ id });

  it('waits Retry-After seconds (longer than its backoff) after a 503', async () => {
    const target = await receiver([503, 200], { 'retry-after': '2' });
    const subscriber = await subscribe(target, { retry: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 100 } } });
    await send();
    await waitFor(async () => (await deliveriesOf(subscriber.id))[0]?.status === 'succeeded', 15_000, 'delivery did not succeed');
    const attempts = await attemptsOf((await deliveriesOf(subscriber.id))[0].id);
    expect(attempts.map((attempt) => attempt.httpStatus)).toEqual([503, 200]);
    expect(attempts[1].attemptedAt.getTime() - attempts[0].attemptedAt.getTime()).toBeGreaterThanOrEqual(1_950);
  });

  it('reads Retry-After as an HTTP date after a 429, and clamps it to SUBSCRIBER_MAX_RETRY_AFTER_SECONDS', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const target = await receiver([429], { 'retry-after': inAnHour });
    const subscriber = await subscribe(target, { retry: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 100 } } });
    await send();
    await waitFor(async () => (await deliveriesOf(subscriber.id))[0]?.attempts === 1, 10_000, 'first attempt not made');
    const [delivery] = await deliveriesOf(subscriber.id);
    const [attempt] = await attemptsOf(delivery.id);
    expect(attempt.httpStatus).toBe(429);
    const waitMs = delivery.nextAttemptAt!.getTime() - attempt.attemptedAt.getTime();
    expect(waitMs).toBeGreaterThanOrEqual(MAX_RETRY_AFTER_SECONDS * 1_000);
    expect(waitMs).toBeLessThan(MAX_RETRY_AFTER_SECONDS * 1_000 + 1_000);
    await app.app.get(SubscriberStore).delete(subscriber.id);
  });

  it('disables a subscriber that answers 410 Gone, keeps its deliveries pending, and resumes them when enabled', async () => {
    const target = await receiver([410]);
    const subscriber = await subscribe(target, { retry: { maxAttempts: 1, backoff: { type: 'fixed', delayMs: 100 } } });
    await send();
    await waitFor(async () => !(await rowOf(subscriber.id)).enabled, 10_000, 'subscriber not disabled');
    const { body: disabled } = await admin('GET', `/subscribers/${subscriber.id}`);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: `HTTP 410 from ${new URL(target.url).host}`, disabledAt: expect.any(String), failingSince: expect.any(String) });
    await send();
    await waitFor(async () => (await deliveriesOf(subscriber.id)).length === 2, 5_000);
    await sleep(500);
    expect(target.received).toHaveLength(1);
    // Even with maxAttempts 1 used up: a 410 is the subscriber's state, not the delivery's failure.
    expect((await deliveriesOf(subscriber.id)).map((delivery) => delivery.status)).toEqual(['pending', 'pending']);

    target['statuses'] = [200];
    const enabled = await admin('PATCH', `/subscribers/${subscriber.id}`, { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
    await app.app.get(SubscriberCache).reload();
    await waitFor(async () => (await deliveriesOf(subscriber.id)).every((delivery) => delivery.status === 'succeeded'), 10_000, 'deliveries did not resume');
    expect(target.received.map((delivery) => delivery.status)).toEqual([410, 200, 200]);
  });

  it('pauses a subscriber that has failed every attempt for SUBSCRIBER_AUTO_PAUSE_AFTER_MS, saying why', async () => {
    const target = await receiver([500]);
    const subscriber = await subscribe(target, { retry: { maxAttempts: 50, backoff: { type: 'fixed', delayMs: 200 } } });
    const started = Date.now();
    await send();
    await waitFor(async () => !(await rowOf(subscriber.id)).enabled, 10_000, 'subscriber not paused');
    expect(Date.now() - started).toBeGreaterThanOrEqual(AUTO_PAUSE_AFTER_MS);
    const row = await rowOf(subscriber.id);
    expect(row.disabledReason).toBe(`failing since ${row.failingSince!.toISOString()} (${row.consecutiveFailures} consecutive failures)`);
    expect(row.consecutiveFailures).toBeGreaterThanOrEqual(5);
    const { body: paused } = await admin('GET', `/subscribers/${subscriber.id}`);
    expect(paused).toMatchObject({ enabled: false, disabledReason: row.disabledReason, failingSince: row.failingSince!.toISOString(), disabledAt: expect.any(String) });

    // Paused: no more attempts; the delivery waits (not dead-lettered).
    await sleep(300);
    const seen = target.received.length;
    await sleep(700);
    expect(target.received).toHaveLength(seen);
    expect((await deliveriesOf(subscriber.id))[0].status).toBe('pending');
    await app.app.get(SubscriberStore).delete(subscriber.id);
  });

  it('ends the failure streak at the first success, and writes nothing for successes of a healthy subscriber', async () => {
    const store = app.app.get(SubscriberStore);
    const recoveries = jest.spyOn(store, 'recordRecovery');
    try {
      const target = await receiver([500, 500, 200]);
      const subscriber = await subscribe(target, { retry: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 100 } } });
      await send();
      await waitFor(async () => (await deliveriesOf(subscriber.id))[0]?.status === 'succeeded', 10_000, 'delivery did not succeed');
      await waitFor(async () => (await rowOf(subscriber.id)).failingSince === null, 5_000, 'streak not reset');
      expect(await rowOf(subscriber.id)).toMatchObject({ enabled: true, consecutiveFailures: 0, failingSince: null, disabledReason: null });
      expect(recoveries).toHaveBeenCalledTimes(1);

      for (let i = 0; i < 5; i++) await send();
      await waitFor(async () => (await deliveriesOf(subscriber.id)).filter((delivery) => delivery.status === 'succeeded').length === 6, 10_000);
      expect(recoveries).toHaveBeenCalledTimes(1);
    } finally {
      recoveries.mockRestore();
    }
  });
});
