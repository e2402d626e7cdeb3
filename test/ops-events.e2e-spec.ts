import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Worker } from 'bullmq';
import { AppConfig } from '@kyc/config';
import type { VerificationEvent } from '@kyc/core';
import { SubscriberStore } from '@kyc/persistence';
import { findProvider, type ConnectionCredentials } from '@kyc/providers';
import { redisOptions } from '@kyc/queue';
import { AdminClient, aSubscriber, recordDeliveredEvent, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { OpsEvents, SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Operational events end to end, through the worker's own timer (OPS_CHECK_INTERVAL_MS 200 ms)
 * and the refusal recorder's: a subscriber of `ops.*` hears of each episode once, and again
 * only after it ended; a subscriber of `*` never does.
 */
describe.each(DATABASE_KINDS)('operational events on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  let admin: AdminClient;
  const consumers: Worker[] = [];
  const receivers: Receiver[] = [];
  let ops: Job<VerificationEvent>[];
  let everything: Job<VerificationEvent>[];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({ DATABASE_URL: database.url, OPS_CHECK_INTERVAL_MS: '200', SUBSCRIBER_AUTO_PAUSE_AFTER_MS: '1' });
    app = await startTestApp(config, { worker: true });
    admin = new AdminClient(app.url, config.adminApiKey);
    ops = await subscribeQueue(['ops.*']);
    everything = await subscribeQueue(['*']);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.close().catch(() => undefined);
    for (const receiver of receivers) await receiver.stop();
    await app?.close();
    await database?.drop();
  });

  async function subscribeQueue(types: string[]): Promise<Job<VerificationEvent>[]> {
    const subscriber = aSubscriber({ filter: { providers: [], types } });
    await app.app.get(SubscriberStore).create(subscriber);
    await app.app.get(SubscriberCache).reload();
    const jobs: Job<VerificationEvent>[] = [];
    consumers.push(
      new Worker<VerificationEvent>(
        subscriber.queue,
        async (job) => {
          jobs.push(job);
          // Checked against the published JSON Schema after the suite (test/support/delivered-events.setup.ts).
          recordDeliveredEvent('queue', job.data);
        },
        { connection: redisOptions(config.env.REDIS_URL, 'worker'), prefix: config.env.QUEUE_PREFIX },
      ),
    );
    return jobs;
  }

  /** A new connection of `provider` with these options; returns what signs its webhooks and its URL. */
  async function connection(provider: string, options: Record<string, unknown>): Promise<{ name: string; url: string; credentials: ConnectionCredentials }> {
    const adapter = findProvider(provider)!;
    const name = `ops-${randomBytes(4).toString('hex')}`;
    const secrets = adapter.simulator.generateSecrets();
    const created = await admin.call('POST', '/admin/connections', { body: { provider, name, secrets, options } });
    expect(created.status).toBe(201);
    return { name, url: `${app.url}/webhooks/${provider}/${name}`, credentials: { secrets, options: adapter.parseOptions(options) } };
  }

  const opsOf = (type: string, connectionName?: string) =>
    ops.filter((job) => job.data.type === type && (connectionName === undefined || job.data.connection === connectionName)).map((job) => job.data);

  it('raises an episode once however many workers raise it at the same time', async () => {
    const another = () =>
      app.app.get(OpsEvents).raise('ops.connection.silent', { provider: 'verifik', connection: 'default' }, `verifik/default:${randomUUID()}`, { lastWebhookAt: null, silenceAlertSeconds: 1 });
    const episode = `verifik/default:${randomUUID()}`;
    const raise = () => app.app.get(OpsEvents).raise('ops.connection.silent', { provider: 'verifik', connection: 'default' }, episode, { lastWebhookAt: null, silenceAlertSeconds: 1 });
    const outcomes = await Promise.all(Array.from({ length: 8 }, raise));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await raise()).toBe(false);
    expect(await another()).toBe(true);
  });

  it('refuses bad alert options with a 400 naming the field', async () => {
    const answer = await admin.call('POST', '/admin/connections', {
      body: { provider: 'complycube', name: 'bad-alerts', secrets: { webhookSecret: 'x'.repeat(32) }, options: { refusalAlertThreshold: -1 } },
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('refusalAlertThreshold');
  });

  it('raises one ops.connection.refusing per refusal streak: again only after the connection accepted a webhook', async () => {
    const complycube = findProvider('complycube')!;
    const target = await connection('complycube', { refusalAlertThreshold: 3 });
    const forged = () => complycube.simulator.build('check.completed', { ...target.credentials, secrets: { webhookSecret: 'not-the-secret-at-all-00000000' } });
    for (let i = 0; i < 4; i++) expect((await post(target.url, forged())).status).toBe(401);
    await waitFor(() => opsOf('ops.connection.refusing', target.name).length === 1, 15_000, 'no ops.connection.refusing after 4 refusals');
    const [first] = opsOf('ops.connection.refusing', target.name);
    expect(first).toMatchObject({ provider: 'complycube', connection: target.name, status: null, subject: {}, verification: null, providerEventType: 'ops.connection.refusing' });
    expect(first.details).toMatchObject({ reason: 'invalid_signature', threshold: 3 });
    expect(first.details.count).toBeGreaterThanOrEqual(3);

    // The same streak goes on: no second event, however many passes run.
    for (let i = 0; i < 3; i++) expect((await post(target.url, forged())).status).toBe(401);
    await sleep(2_000);
    expect(opsOf('ops.connection.refusing', target.name)).toHaveLength(1);

    // Accepted again: the episode ended. A new streak is a new episode.
    expect((await post(target.url, complycube.simulator.build('check.completed', target.credentials))).status).toBe(200);
    await sleep(1_500);
    for (let i = 0; i < 3; i++) expect((await post(target.url, forged())).status).toBe(401);
    await waitFor(() => opsOf('ops.connection.refusing', target.name).length === 2, 15_000, 'the second streak raised nothing');
    expect(opsOf('ops.connection.refusing', target.name)[1].details).toMatchObject({ count: 3 });
    expect(everything.some((job) => job.data.type.startsWith('ops.'))).toBe(false);
  });

  it('counts no refusal toward a connection whose threshold is 0', async () => {
    const target = await connection('verifik', { refusalAlertThreshold: 0 });
    const forged = findProvider('verifik')!.simulator.build('access_validation_failed', { ...target.credentials, secrets: { webhookSecret: 'wrong-secret-wrong-secret-000000' } });
    for (let i = 0; i < 6; i++) expect((await post(target.url, forged)).status).toBe(401);
    await sleep(2_000);
    expect(opsOf('ops.connection.refusing', target.name)).toHaveLength(0);
  });

  it('raises ops.connection.silent once per silence', async () => {
    const target = await connection('verifik', { silenceAlertSeconds: 1 });
    await waitFor(() => opsOf('ops.connection.silent', target.name).length === 1, 15_000, 'a connection that never received anything was not reported silent');
    expect(opsOf('ops.connection.silent', target.name)[0].details).toEqual({ lastWebhookAt: null, silenceAlertSeconds: 1 });

    const accepted = await post(target.url, findProvider('verifik')!.simulator.build(findProvider('verifik')!.simulator.sampleEventType, target.credentials));
    expect(accepted.status).toBe(200);
    await waitFor(() => opsOf('ops.connection.silent', target.name).length === 2, 15_000, 'the silence after a webhook was not reported');
    const second = opsOf('ops.connection.silent', target.name)[1];
    expect(second.details.lastWebhookAt).toEqual(expect.any(String));
    await sleep(1_500);
    expect(opsOf('ops.connection.silent', target.name)).toHaveLength(2);
  });

  it('raises ops.verification.stuck once per verification and status, never for a final one', async () => {
    const allpass = findProvider('allpass')!;
    const target = await connection('allpass', { encryptionMethod: 'aes-256-gcm', stuckAfterSeconds: 60 });
    const inReview = randomUUID();
    const decided = randomUUID();
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    const send = (type: string, applicantId: string) => post(target.url, allpass.simulator.build(type, target.credentials, { now: tenMinutesAgo, payload: { id: applicantId } }));
    expect((await send('applicantInReview', inReview)).status).toBe(200);
    expect((await send('applicantApproved', decided)).status).toBe(200);
    await waitFor(() => opsOf('ops.verification.stuck', target.name).length === 1, 15_000, 'the verification in review was not reported stuck');
    const [stuck] = opsOf('ops.verification.stuck', target.name);
    expect(stuck.details).toEqual({ verificationId: expect.any(String), status: 'review', since: tenMinutesAgo.toISOString(), stuckAfterSeconds: 60 });
    expect(JSON.stringify(stuck)).not.toContain(inReview);
    const verification = await admin.get<{ data: Array<{ id: string }> }>(`/admin/verifications?applicantId=${inReview}`);
    expect(verification.body.data[0].id).toBe(stuck.details.verificationId);
    await sleep(1_500);
    expect(opsOf('ops.verification.stuck', target.name)).toHaveLength(1);
  });

  it('raises ops.subscriber.paused when a subscriber is paused, and ops.subscriber.failing once per failure streak', async () => {
    const gone = await new Receiver([410]).start();
    const failing = await new Receiver([500]).start();
    receivers.push(gone, failing);
    const store = app.app.get(SubscriberStore);
    const { subscriber: goneSubscriber, secret: goneSecret } = await store.create({ name: `gone-${kind}`, kind: 'http', url: gone.url, filter: { providers: ['verifik'], types: ['verification.*'] } });
    const { subscriber: failingSubscriber, secret: failingSecret } = await store.create({
      name: `failing-${kind}`,
      kind: 'http',
      url: failing.url,
      filter: { providers: ['verifik'], types: ['verification.*'] },
      retry: { maxAttempts: 1, backoff: { type: 'fixed', delayMs: 100 } },
    });
    gone.secret = goneSecret!;
    failing.secret = failingSecret!;
    await app.app.get(SubscriberCache).reload();

    const verifik = findProvider('verifik')!;
    const target = await connection('verifik', {});
    for (let i = 0; i < 2; i++) expect((await post(target.url, verifik.simulator.build(verifik.simulator.sampleEventType, target.credentials))).status).toBe(200);

    await waitFor(() => opsOf('ops.subscriber.paused').some((event) => event.details.subscriberId === goneSubscriber.id), 15_000, 'no ops.subscriber.paused');
    await waitFor(() => failing.arrived >= 2, 15_000, 'the failing subscriber did not get both deliveries');
    await waitFor(() => opsOf('ops.subscriber.failing').some((event) => event.details.subscriberId === failingSubscriber.id), 15_000, 'no ops.subscriber.failing');
    await sleep(1_000);
    const paused = opsOf('ops.subscriber.paused').filter((event) => event.details.subscriberId === goneSubscriber.id);
    const failures = opsOf('ops.subscriber.failing').filter((event) => event.details.subscriberId === failingSubscriber.id);
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ provider: 'gateway', connection: 'gateway', details: { subscriberName: goneSubscriber.name, reason: expect.stringContaining('410') } });
    const listed = await admin.get<{ data: Array<{ id: string }> }>('/admin/events?provider=gateway&type=ops.subscriber.paused');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((event) => event.id)).toContain(paused[0].id);
    // Two deliveries given up on in one streak: one event.
    expect(failures).toHaveLength(1);
    expect(failures[0].details).toMatchObject({ subscriberName: failingSubscriber.name, attempts: 1, lastError: expect.stringContaining('500') });

    const metrics = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${config.adminApiKey}` } }).then((response) => response.text());
    expect(metrics).toMatch(/kyc_ops_events_total\{type="ops.subscriber.failing"\} [1-9]/);
    expect(metrics).toMatch(/kyc_subscribers_unhealthy\{state="paused"\} [1-9]/);
    expect(metrics).toMatch(new RegExp(`kyc_connection_last_webhook_timestamp_seconds\\{provider="verifik",connection="${target.name}"\\} \\d`));
    // The example alerting rules use only metrics the gateway serves.
    const rules = readFileSync(join(__dirname, '..', 'docs', 'alerting', 'prometheus-rules.yml'), 'utf8');
    const used = [...new Set([...rules.matchAll(/\bkyc_[a-z_]+/g)].map(([name]) => name))];
    expect(used.length).toBeGreaterThan(4);
    for (const name of used) expect(metrics).toContain(`# TYPE ${name} `);
  });
});
