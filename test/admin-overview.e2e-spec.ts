import { randomBytes, randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '@kyc/config';
import type { VerificationEvent } from '@kyc/core';
import { RefusalRecorder } from '@kyc/gateway';
import { InboundRefusalStore, SubscriberInput, SubscriberStore } from '@kyc/persistence';
import { findProvider, PROVIDERS, type SimulateOptions } from '@kyc/providers';
import { AdminClient, aSeedVendorSet, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor, type SeedVendor } from '@kyc/testing';
import { SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

type Json = Record<string, unknown>;

interface Overview {
  generatedAt: string;
  webhooksPerMinute: { from: string; minutes: number; series: Array<{ provider: string; counts: number[] }> };
  refusalsByReason: Array<{ reason: string; count: number }>;
  deliveries: { pending: number; failed: number };
  pausedSubscribers: Array<{ id: string; name: string; disabledReason: string | null; disabledAt: string | null }>;
  connections: Array<{ id: string; provider: string; name: string; enabled: boolean; lastWebhookAt: string | null }>;
}

interface SearchResult {
  query: string;
  events: VerificationEvent[];
  verifications: Array<Json & { id: string }>;
}

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const MINUTE = 60_000;
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The two aggregate endpoints of the operator console (issue 14): GET /admin/overview and
 * GET /admin/search, over webhooks sent with the vendors' simulators, on both databases.
 */
describe.each(DATABASE_KINDS)('admin overview and search on %s', (kind) => {
  const vendors = aSeedVendorSet();
  const logLines: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  let admin: AdminClient;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'info', ...vendors.environment });
    app = await startTestApp(config, { worker: true, logDestination: { write: (line: string) => void logLines.push(line) } });
    admin = new AdminClient(app.url, config.adminApiKey);
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await app?.close();
    await database?.drop();
  });

  async function get<T>(path: string): Promise<T> {
    const answer = await admin.get<T>(path);
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    return answer.body;
  }

  const overview = () => get<Overview>('/admin/overview');

  async function send(vendor: SeedVendor, type: string, options?: SimulateOptions): Promise<string> {
    const answer = await post(`${app.url}/webhooks/${vendor}`, vendors.build(vendor, type, options));
    expect({ vendor, type, status: answer.status }).toEqual({ vendor, type, status: 200 });
    return answer.body.eventId as string;
  }

  /** Every stored event, newest first (the suite stores fewer than a page). */
  const allEvents = async () => (await get<Page<VerificationEvent>>('/admin/events?limit=500')).data;

  async function subscribe(input: SubscriberInput, receiver?: Receiver) {
    const created = await app.app.get(SubscriberStore).create(input);
    if (receiver) receiver.secret = created.secret!;
    const cache = app.app.get(SubscriberCache);
    await waitFor(async () => (await cache.reload(), cache.all().some((subscriber) => subscriber.id === created.subscriber.id)), 5_000, 'subscriber not loaded');
    return created.subscriber;
  }

  async function receiver(statuses: number[]): Promise<Receiver> {
    const started = await new Receiver(statuses).start();
    closers.push(() => started.stop());
    return started;
  }

  it('lists every registered vendor with what a connection of it takes, read from the registry', async () => {
    const answer = await admin.get<{ data: Array<{ name: string; displayName: string; secrets: { required: string[]; optional: string[] }; options: string[]; signatureHeaders: string[] }> }>(
      '/providers',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data.map((provider) => provider.name)).toEqual(PROVIDERS.map((provider) => provider.name));
    expect(answer.body.data.find((provider) => provider.name === 'allpass')).toMatchObject({
      displayName: 'Allpass',
      secrets: { required: ['cryptoKey'], optional: ['hmacKey'] },
      signatureHeaders: ['x-allpass-signature'],
    });
    expect(answer.body.data.find((provider) => provider.name === 'stripe')).toMatchObject({
      secrets: { required: ['webhookSecret'], optional: [] },
      options: expect.arrayContaining(['timestampToleranceSeconds', 'requiredHeaders']),
    });
    expect((await admin.withKey('wrong-key-wrong-key').get('/providers')).status).toBe(401);
  });

  describe('overview', () => {
    it('counts the webhooks stored per provider and minute over the last hour, by receipt time', async () => {
      const sent: Record<string, number> = { allpass: 0, complycube: 0, verifik: 0 };
      const sendCounted = async (vendor: SeedVendor, type: string, options?: SimulateOptions) => {
        await send(vendor, type, options);
        sent[vendor]++;
      };
      await sendCounted('allpass', 'applicantApproved');
      // Vendor time a year ago: counted when it arrived.
      await sendCounted('allpass', 'applicantRejected', { now: new Date(Date.now() - 365 * 86_400_000) });
      for (const type of ['check.completed.clear', 'check.pending', 'check.failed']) await sendCounted('complycube', type);
      await sendCounted('verifik', 'verification.started');
      // A vendor's redelivery of a stored event is not stored again: not counted again.
      const redelivered = vendors.build('complycube', 'document.created');
      expect((await post(`${app.url}/webhooks/complycube`, redelivered)).status).toBe(200);
      expect((await post(`${app.url}/webhooks/complycube`, redelivered)).body.duplicate).toBe(true);
      sent.complycube++;

      const answer = await overview();
      const generatedAt = Date.parse(answer.generatedAt);
      const from = Date.parse(answer.webhooksPerMinute.from);
      expect(answer.webhooksPerMinute.minutes).toBe(60);
      expect(from % MINUTE).toBe(0);
      expect(Math.floor(generatedAt / MINUTE) - from / MINUTE).toBe(59);

      // The same counts from the event list, minute by minute.
      const expected = new Map<string, number[]>();
      for (const event of await allEvents()) {
        const counts = expected.get(event.provider) ?? new Array<number>(60).fill(0);
        counts[Math.floor(Date.parse(event.receivedAt) / MINUTE) - from / MINUTE]++;
        expected.set(event.provider, counts);
      }
      expect(answer.webhooksPerMinute.series).toEqual(['allpass', 'complycube', 'verifik'].map((provider) => ({ provider, counts: expected.get(provider) })));
      const totals = Object.fromEntries(answer.webhooksPerMinute.series.map(({ provider, counts }) => [provider, counts.reduce((sum, count) => sum + count, 0)]));
      expect(totals).toEqual(sent);
      expect(answer.webhooksPerMinute.series.every(({ counts }) => counts.length === 60)).toBe(true);
    });

    it('counts the refusals of the last 24 hours by reason, most first, once the recorder has written them', async () => {
      const request = vendors.build('complycube', 'check.pending');
      const forged = { ...request, headers: { ...request.headers, 'complycube-signature': '00'.repeat(32) } };
      for (let i = 0; i < 3; i++) expect((await post(`${app.url}/webhooks/complycube`, forged)).status).toBe(401);
      expect((await post(`${app.url}/webhooks/complycube/nowhere`, vendors.build('complycube', 'check.pending'))).status).toBe(404);
      // Older than 24 hours: left out.
      await app.app.get(InboundRefusalStore).recordMany([
        {
          id: uuidv7(),
          provider: 'complycube',
          connection: null,
          statusCode: 401,
          reason: 'missing_signature',
          detail: 'no signature header',
          sourceIp: '198.51.100.9',
          sizeBytes: 10,
          receivedAt: new Date(Date.now() - 25 * 3_600_000),
          count: 7,
        },
      ]);
      await app.app.get(RefusalRecorder).flush();

      expect((await overview()).refusalsByReason).toEqual([
        { reason: 'invalid_signature', count: 3 },
        { reason: 'unknown_connection', count: 1 },
      ]);
    });

    it('counts pending and failed deliveries, and lists disabled subscribers as paused', async () => {
      const before = await overview();
      expect(before.deliveries).toEqual({ pending: 0, failed: 0 });
      expect(before.pausedSubscribers).toEqual([]);

      // Fails once, for good: a failed delivery.
      const down = await receiver([500]);
      const failing = await subscribe({ name: 'a-failing', kind: 'http', url: down.url, filter: { providers: ['onfido'] }, retry: { maxAttempts: 1 } }, down);
      // Answers 410 Gone: the subscriber is disabled, its delivery waits (pending) for it to be enabled again.
      const gone = await receiver([410]);
      const goneSubscriber = await subscribe({ name: 'b-gone', kind: 'http', url: gone.url, filter: { providers: ['veriff'] } }, gone);
      // Disabled by an operator: no reason, no time.
      const idle = await subscribe({ name: 'c-idle', kind: 'queue', queue: `idle-${randomBytes(3).toString('hex')}`, filter: { providers: ['persona'] } });
      expect((await admin.call('PATCH', `/admin/subscribers/${idle.id}`, { body: { enabled: false } })).status).toBe(200);

      await send('onfido', findProvider('onfido')!.simulator.sampleEventType);
      await send('veriff', findProvider('veriff')!.simulator.sampleEventType);
      const deliveries = (subscriberId: string, status: string) => get<Page<{ id: string }>>(`/admin/deliveries?subscriberId=${subscriberId}&status=${status}`);
      await waitFor(async () => (await deliveries(failing.id, 'failed')).data.length === 1, 15_000, 'the delivery did not fail');
      await waitFor(async () => (await get<{ enabled: boolean }>(`/admin/subscribers/${goneSubscriber.id}`)).enabled === false, 15_000, 'the subscriber was not disabled');
      expect((await deliveries(goneSubscriber.id, 'pending')).data).toHaveLength(1);

      const after = await overview();
      expect(after.deliveries).toEqual({ pending: 1, failed: 1 });
      expect(after.pausedSubscribers).toEqual([
        { id: goneSubscriber.id, name: 'b-gone', disabledReason: `HTTP 410 from ${new URL(gone.url).host}`, disabledAt: expect.any(String) },
        { id: idle.id, name: 'c-idle', disabledReason: null, disabledAt: null },
      ]);
      expect(Date.now() - Date.parse(after.pausedSubscribers[0].disabledAt!)).toBeLessThan(60_000);

      // Enabled again: no longer paused.
      expect((await admin.call('PATCH', `/admin/subscribers/${idle.id}`, { body: { enabled: true } })).status).toBe(200);
      expect((await overview()).pausedSubscribers.map((subscriber) => subscriber.id)).toEqual([goneSubscriber.id]);
    });

    it("shows every connection with its last webhook's receipt time", async () => {
      const adapter = findProvider('complycube')!;
      const secrets = adapter.simulator.generateSecrets();
      const created = await admin.call<{ id: string; ingressUrl: string }>('POST', '/admin/connections', { body: { provider: 'complycube', name: 'eu-app', secrets } });
      expect(created.status).toBe(201);
      const quiet = await admin.call<{ id: string }>('POST', '/admin/connections', { body: { provider: 'complycube', name: 'quiet', secrets: adapter.simulator.generateSecrets() } });
      expect(quiet.status).toBe(201);
      await waitFor(
        async () => (await post(`${app.url}${created.body.ingressUrl}`, adapter.simulator.build('check.pending', { secrets, options: adapter.parseOptions({}) }))).status === 200,
        10_000,
        'the new connection did not accept its webhook',
      );
      expect((await admin.call('PATCH', `/admin/connections/${created.body.id}`, { body: { enabled: false } })).status).toBe(200);
      await send('verifik', 'verification.completed');

      const latest = new Map<string, string>();
      for (const event of await allEvents()) {
        const key = `${event.provider}/${event.connection}`;
        if (!latest.has(key) || Date.parse(event.receivedAt) > Date.parse(latest.get(key)!)) latest.set(key, event.receivedAt);
      }
      const stored = (await get<Page<{ id: string; provider: string; name: string; enabled: boolean }>>('/admin/connections?limit=500')).data;
      const { connections } = await overview();
      expect(connections).toEqual(
        stored
          .map(({ id, provider, name, enabled }) => ({ id, provider, name, enabled, lastWebhookAt: latest.get(`${provider}/${name}`) ?? null }))
          .sort((a, b) => byText(a.provider, b.provider) || byText(a.name, b.name)),
      );
      const byName = (provider: string, name: string) => connections.find((connection) => connection.provider === provider && connection.name === name)!;
      expect(byName('complycube', 'eu-app')).toMatchObject({ id: created.body.id, enabled: false, lastWebhookAt: expect.any(String) });
      expect(byName('complycube', 'quiet')).toMatchObject({ id: quiet.body.id, enabled: true, lastWebhookAt: null });
      expect(byName('verifik', 'default').lastWebhookAt).toBe(latest.get('verifik/default'));
      // Every vendor's default connection is there, those without a webhook too.
      expect(byName('stripe', 'default')).toMatchObject({ enabled: true, lastWebhookAt: null });
    });
  });

  describe('search', () => {
    const applicantId = `client-${randomUUID()}`;
    const externalUserId = `user-${randomUUID()}`;
    const vendorVerificationId = `reg-${randomBytes(8).toString('hex')}`;
    const subject = { client: applicantId, externalId: externalUserId, _id: vendorVerificationId };
    let created: string;
    let validated: string;
    let verification: Json & { id: string };

    beforeAll(async () => {
      // Verifik's registration snapshots carry all three subject ids.
      created = await send('verifik', 'onboarding_app_registration_created', { payload: subject });
      validated = await send('verifik', 'onboarding_email_validation_completed', { payload: subject });
      // The vendor's verificationId matches through the verification: wait until the worker took both events in.
      await waitFor(async () => (await get<Page<Json>>(`/admin/events?verificationId=${vendorVerificationId}`)).data.length === 2, 15_000, 'the events were not taken in');
      [verification] = (await get<Page<Json & { id: string }>>(`/admin/verifications?applicantId=${applicantId}`)).data;
    });

    const search = (q: string) => get<SearchResult>(`/admin/search?q=${encodeURIComponent(q)}`);
    const eventIds = (result: SearchResult) => result.events.map((event) => event.id);

    it('finds an event by its id, with the item of the event list', async () => {
      const result = await search(created);
      expect(result).toEqual({ query: created, events: [expect.objectContaining({ id: created })], verifications: [] });
      const [listed] = (await get<Page<VerificationEvent>>(`/admin/events?applicantId=${applicantId}`)).data.filter((event) => event.id === created);
      expect(result.events[0]).toEqual(listed);
      expect(result.events[0].verification).toMatchObject({ id: verification.id });
      // A pasted upper-case id names the same event.
      expect(eventIds(await search(created.toUpperCase()))).toEqual([created]);
    });

    it.each([
      ['applicantId', () => applicantId],
      ['externalUserId', () => externalUserId],
      ["the vendor's verificationId", () => vendorVerificationId],
    ])('finds the events and the verification of a subject by %s, newest first', async (_, value) => {
      const result = await search(value());
      expect(result.query).toBe(value());
      expect(eventIds(result)).toEqual([validated, created]);
      expect(result.verifications).toEqual([verification]);
      expect(result.verifications[0]).toMatchObject({ provider: 'verifik', connection: 'default', events: 2, subject: { applicantId, externalUserId, verificationId: vendorVerificationId } });
    });

    it("finds a verification by the gateway's id, the same item as the verification list", async () => {
      expect(await search(verification.id)).toEqual({ query: verification.id, events: [], verifications: [verification] });
    });

    it('trims the value, and finds nothing for an unknown one', async () => {
      expect(eventIds(await search(`  ${applicantId}\t`))).toEqual([validated, created]);
      expect((await search(`  ${applicantId}\t`)).query).toBe(applicantId);
      for (const unknown of [randomUUID(), 'nobody-at-all', applicantId.toUpperCase(), `${applicantId} `.repeat(2).trim()]) {
        expect(await search(unknown)).toEqual({ query: unknown, events: [], verifications: [] });
      }
    });

    it.each([
      ['no q', ''],
      ['an empty q', '?q='],
      ['a q of spaces', '?q=%20%20%20'],
      ['a q longer than 200 characters', `?q=${'x'.repeat(201)}`],
      ['two q', '?q=a&q=b'],
      ['an unknown parameter', '?q=a&applicantId=b'],
    ])('answers 400 to %s', async (_, query) => {
      const answer = await admin.get<{ statusCode: number; error: string; fields: Json }>(`/admin/search${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(Array) });
      expect(Object.keys(answer.body.fields)).toEqual([query.includes('applicantId') ? 'applicantId' : 'q']);
    });

    it('accepts 200 characters', async () => {
      expect((await admin.get(`/admin/search?q=${'x'.repeat(200)}`)).status).toBe(200);
    });

    it('never logs the values searched for', async () => {
      await search(externalUserId);
      await waitFor(() => logLines.some((line) => line.includes('"request completed"') && line.includes('/admin/search')), 5_000, 'no request line');
      const text = logLines.join('');
      for (const value of [applicantId, externalUserId, vendorVerificationId]) expect(text).not.toContain(value);
      expect(text).not.toContain('/admin/search?');
    });
  });

  it.each(['/admin/overview', '/admin/search?q=anything'])('answers 401 to %s without the key or with a wrong one', async (path) => {
    for (const authorization of [null, 'Bearer not-the-admin-key']) {
      expect(await admin.call('GET', path, { authorization })).toEqual({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'missing or invalid admin API key' } });
    }
  });

  it('documents both routes in /docs', async () => {
    const document = (await (await fetch(`${app.url}/docs-json`, { headers: { authorization: `Bearer ${config.adminApiKey}` } })).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: unknown }> }>; parameters?: Array<{ name: string; required: boolean }> } }>;
      components: { schemas: Record<string, { properties: Json }> };
    };
    expect(document.paths['/admin/overview'].get!.responses['200'].content!['application/json'].schema).toEqual({ $ref: '#/components/schemas/Overview' });
    expect(document.paths['/admin/search'].get!.responses['200'].content!['application/json'].schema).toEqual({ $ref: '#/components/schemas/SearchResult' });
    expect(document.paths['/admin/search'].get!.parameters).toEqual([expect.objectContaining({ name: 'q', required: true })]);
    expect(Object.keys(document.components.schemas.Overview.properties)).toEqual(['generatedAt', 'webhooksPerMinute', 'refusalsByReason', 'deliveries', 'pausedSubscribers', 'connections']);
    expect(Object.keys(document.components.schemas.SearchResult.properties)).toEqual(['query', 'events', 'verifications']);
  });
});
