import { randomBytes, randomUUID } from 'node:crypto';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '@kyc/config';
import { VerificationEvent } from '@kyc/core';
import { DeliveryEntity, SubscriberInput, SubscriberStore } from '@kyc/persistence';
import type { SimulateOptions } from '@kyc/providers';
import { AdminClient, type AdminRequest, aSeedVendorSet, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor, type SeedVendor, consumeQueue } from '@kyc/testing';
import { SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const vendors = aSeedVendorSet();
type Vendor = SeedVendor;
type Json = Record<string, unknown>;

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
interface Delivery {
  id: string;
  eventId: string;
  subscriberId: string;
  status: string;
  attempts: number;
  replays: number;
  attemptLog?: Json[];
}
interface Sent {
  id: string;
  provider: Vendor;
  type: string;
}

const build = (provider: Vendor, type: string, options?: SimulateOptions) => vendors.build(provider, type, options);
const fast = (maxAttempts: number) => ({ maxAttempts, backoff: { type: 'fixed' as const, delayMs: 100 } });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A time strictly between what was received before and what is received after. */
const instant = async () => {
  await pause(5);
  const at = new Date().toISOString();
  await pause(5);
  return at;
};

describe.each(DATABASE_KINDS)('admin events, deliveries and inbound API on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  const closers: Array<() => Promise<unknown>> = [];
  /** Every event this suite stored, oldest first. */
  const sent: Sent[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({
      DATABASE_URL: database.url,
      ...vendors.environment,
    });
    app = await startTestApp(config, { worker: true });
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await app?.close();
    await database?.drop();
  });

  const call = <T = Json>(method: string, path: string, request: AdminRequest = {}) => new AdminClient(app.url, config.adminApiKey).call<T>(method, path, request);

  async function get<T>(path: string): Promise<T> {
    const answer = await call<T>('GET', path);
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    return answer.body;
  }

  const ids = (page: { data: { id: string }[] }) => page.data.map((item) => item.id);
  /** Ids of the events sent so far that pass `keep`, as the API lists them (newest first). */
  const sentIds = (keep: (event: Sent) => boolean = () => true) =>
    sent
      .filter(keep)
      .map((event) => event.id)
      .reverse();

  async function send(provider: Vendor, type: string, options?: SimulateOptions): Promise<string> {
    const answer = await post(`${app.url}/webhooks/${provider}`, build(provider, type, options));
    expect(answer.status).toBe(200);
    const id = answer.body.eventId as string;
    sent.push({ id, provider, type });
    return id;
  }

  async function subscribe(input: SubscriberInput, receiver?: Receiver) {
    const created = await app.app.get(SubscriberStore).create(input);
    if (receiver) receiver.secret = created.secret!;
    // reload() may join a periodic load that read the table before the insert: wait for one that did not.
    const cache = app.app.get(SubscriberCache);
    await waitFor(async () => (await cache.reload(), cache.all().some((subscriber) => subscriber.id === created.subscriber.id)), 5_000, 'subscriber not loaded');
    return created.subscriber;
  }

  async function receiver(statuses: number[]): Promise<Receiver> {
    const started = await new Receiver(statuses).start();
    closers.push(() => started.stop());
    return started;
  }

  const consume = (queue: string): Job<VerificationEvent>[] => {
    const consumer = consumeQueue(queue, config.env);
    closers.push(consumer.close);
    return consumer.jobs;
  };

  const deliveriesOf = (subscriberId: string, status = '') => get<Page<Delivery>>(`/deliveries?subscriberId=${subscriberId}${status && `&status=${status}`}`);

  async function expect400(method: string, path: string, field: string, body?: unknown): Promise<void> {
    const answer = await call<{ fields: Json }>(method, path, { body });
    expect({ path, status: answer.status }).toEqual({ path, status: 400 });
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(Object.keys(answer.body.fields)).toEqual([field]);
  }

  describe('authentication', () => {
    const id = randomUUID();
    it.each([
      ['GET', '/events'],
      ['GET', `/events/${id}`],
      ['POST', `/events/${id}/replay`],
      ['GET', '/deliveries'],
      ['POST', `/deliveries/${id}/retry`],
      ['POST', '/deliveries/retry'],
      ['GET', '/inbound'],
    ])('%s %s answers 401 without the key or with a wrong one', async (method, path) => {
      for (const authorization of [null, 'Bearer not-the-admin-key', `Basic ${config.adminApiKey}`]) {
        const answer = await call(method, path, { authorization, body: method === 'POST' ? { status: 'failed' } : undefined });
        expect({ authorization, ...answer }).toEqual({
          authorization,
          status: 401,
          body: { statusCode: 401, error: 'Unauthorized', message: 'missing or invalid admin API key' },
        });
      }
    });
  });

  describe('events', () => {
    let approved: string;

    beforeAll(async () => {
      // Allpass maps payload.id to subject.applicantId and payload.externalUserId to subject.externalUserId.
      approved = await send('allpass', 'applicantApproved', { payload: { id: 'app-123', externalUserId: 'user-abc' } });
      await send('allpass', 'applicantRejected');
      await send('complycube', 'check.completed.clear');
      await send('verifik', 'verification.completed');
      await send('verifik', 'verification.started');
    });

    it('lists VerificationEvents newest first, without the vendor payload', async () => {
      const page = await get<Page<VerificationEvent>>('/events');
      expect(ids(page)).toEqual(sentIds());
      expect(page.nextCursor).toBeNull();
      const event = page.data.find((item) => item.id === approved)!;
      expect(Object.keys(event).sort()).toEqual([
        'connection',
        'details',
        'id',
        'occurredAt',
        'provider',
        'providerEventId',
        'providerEventType',
        'receivedAt',
        'specVersion',
        'status',
        'subject',
        'type',
        'verification',
      ]);
      expect(event).toMatchObject({
        specVersion: '1',
        provider: 'allpass',
        connection: 'default',
        type: 'verification.approved',
        status: 'approved',
        providerEventType: 'applicantApproved',
        subject: { applicantId: 'app-123', externalUserId: 'user-abc' },
      });
    });

    it('filters by provider, connection, type and status', async () => {
      expect(ids(await get('/events?provider=complycube'))).toEqual(sentIds((event) => event.provider === 'complycube'));
      expect(ids(await get('/events?provider=verifik'))).toEqual(sentIds((event) => event.provider === 'verifik'));
      expect(ids(await get('/events?connection=default'))).toEqual(sentIds());
      expect(ids(await get('/events?connection=eu-app'))).toEqual([]);
      const approvals = sentIds((event) => ['applicantApproved', 'verification.completed'].includes(event.type));
      expect(approvals).toHaveLength(2);
      expect(ids(await get('/events?type=verification.approved'))).toEqual(approvals);
      expect(ids(await get('/events?status=approved'))).toEqual(approvals);
      expect(ids(await get('/events?status=approved&provider=allpass'))).toEqual([approved]);
      expect(ids(await get('/events?type=check.completed&status=approved'))).toEqual([]);
    });

    it('finds events by applicantId and externalUserId, stored only as blind indexes', async () => {
      expect(ids(await get('/events?applicantId=app-123'))).toEqual([approved]);
      expect(ids(await get('/events?externalUserId=user-abc'))).toEqual([approved]);
      expect(ids(await get('/events?applicantId=app-123&provider=verifik'))).toEqual([]);
      expect(ids(await get('/events?applicantId=user-abc'))).toEqual([]);
      const rows: unknown[] = await app.app.get(DataSource).query('SELECT * FROM events');
      expect(JSON.stringify(rows)).not.toContain('app-123');
    });

    it('filters by receivedAt: from included, to excluded', async () => {
      const start = await instant();
      const first = await send('complycube', 'check.pending');
      const middle = await instant();
      const second = await send('complycube', 'check.failed');
      expect(ids(await get(`/events?from=${start}&to=${middle}`))).toEqual([first]);
      expect(ids(await get(`/events?from=${middle}`))).toEqual([second]);
      expect(ids(await get(`/events?to=${start}`))).toEqual(sentIds().slice(2));
      expect(ids(await get(`/events?from=${middle}&to=${middle}`))).toEqual([]);
      await expect400('GET', `/events?from=${middle}&to=${start}`, 'to');
    });

    it('pages by a cursor that new events do not disturb: no duplicate, no gap', async () => {
      const start = await instant();
      const existing: string[] = [];
      for (const type of ['address.created', 'address.updated', 'address.deleted', 'client.created', 'client.updated', 'client.deleted']) {
        existing.unshift(await send('complycube', type));
      }
      const pages: Page<VerificationEvent>[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<VerificationEvent> = await get(`/events?from=${start}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        pages.push(page);
        cursor = page.nextCursor;
        // Newer events arrive between the requests; they belong before the first page.
        await send('verifik', 'document.uploaded');
      } while (cursor !== null && pages.length < 5);

      expect(pages.map((page) => page.data.length)).toEqual([2, 2, 2]);
      expect(pages.flatMap(ids)).toEqual(existing);
      expect(pages[0].nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      // And the new ones are there, on top.
      expect(ids(await get(`/events?from=${start}&limit=3`))).toEqual(sentIds().slice(0, 3));
    });

    it.each([
      ['a bad status', '?status=done', 'status'],
      ['an unknown provider', '?provider=acme', 'provider'],
      ['a from that is not a date', '?from=yesterday', 'from'],
      ['a to that is not a date', '?to=2026-13-45', 'to'],
      ['a forged cursor', '?cursor=not-a-cursor!', 'cursor'],
      ['a cursor that is not an id', `?cursor=${Buffer.from('../../etc').toString('base64url')}`, 'cursor'],
      ['limit 501', '?limit=501', 'limit'],
      ['limit 0', '?limit=0', 'limit'],
      ['an empty applicantId', '?applicantId=', 'applicantId'],
      ['an unknown query parameter', '?sort=type', 'sort'],
    ])('answers 400 to %s', async (_, query, field) => {
      await expect400('GET', `/events${query}`, field);
    });

    it('answers 404 to an unknown or malformed event id', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        expect(await call('GET', `/events/${id}`)).toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'event not found' } });
        expect((await call('POST', `/events/${id}/replay`)).status).toBe(404);
      }
    });
  });

  describe('deliveries', () => {
    it('shows an event with its deliveries and their attempts', async () => {
      const flaky = await receiver([500, 200]);
      const subscriber = await subscribe({ name: 'detail', kind: 'http', url: flaky.url, filter: { providers: ['verifik'], types: ['verification.rejected'] }, retry: fast(3) }, flaky);
      const eventId = await send('verifik', 'verification.failed');
      await waitFor(async () => (await deliveriesOf(subscriber.id, 'succeeded')).data.length === 1, 15_000, 'delivery did not succeed');

      const detail = await get<{ event: VerificationEvent; deliveries: Delivery[] }>(`/events/${eventId}`);
      expect(Object.keys(detail).sort()).toEqual(['deliveries', 'event']);
      expect(detail.event).toMatchObject({ id: eventId, provider: 'verifik', type: 'verification.rejected', status: 'rejected' });
      expect(detail.deliveries).toEqual([
        {
          id: expect.any(String),
          eventId,
          subscriberId: subscriber.id,
          status: 'succeeded',
          attempts: 2,
          replays: 0,
          nextAttemptAt: null,
          lastError: null,
          createdAt: expect.any(String),
          completedAt: expect.any(String),
          attemptLog: [
            { attemptNumber: 1, attemptedAt: expect.any(String), outcome: 'failed', httpStatus: 500, error: 'HTTP 500', durationMs: expect.any(Number) },
            { attemptNumber: 2, attemptedAt: expect.any(String), outcome: 'succeeded', httpStatus: 200, error: null, durationMs: expect.any(Number) },
          ],
        },
      ]);
      expect(JSON.stringify(detail)).not.toContain('payload');
    });

    it('replays an event as a new job for a queue subscriber', async () => {
      const queue = `replayed-${randomBytes(3).toString('hex')}`;
      const subscriber = await subscribe({ name: queue, kind: 'queue', queue, filter: { providers: ['complycube'], types: ['verification.cancelled'] } });
      const jobs = consume(queue);
      const eventId = await send('complycube', 'workflow.session.cancelled');
      await waitFor(() => jobs.length === 1, 10_000, 'first delivery did not arrive');

      const replay = await call<{ deliveries: Delivery[] }>('POST', `/events/${eventId}/replay`);
      expect(replay.status).toBe(202);
      expect(replay.body.deliveries).toEqual([expect.objectContaining({ eventId, subscriberId: subscriber.id, status: 'pending', replays: 1, attempts: 0 })]);
      await waitFor(() => jobs.length === 2, 10_000, 'replay did not arrive');
      expect(jobs[1].id).toBe(`${eventId}:replay:1`);
      expect(jobs[1].data).toEqual(jobs[0].data);

      const chosen = await call<{ deliveries: Delivery[] }>('POST', `/events/${eventId}/replay`, { body: { subscriberIds: [subscriber.id] } });
      expect(chosen.status).toBe(202);
      expect(chosen.body.deliveries.map((delivery) => delivery.replays)).toEqual([2]);
      await waitFor(() => jobs.length === 3, 10_000, 'second replay did not arrive');
      expect(jobs[2].id).toBe(`${eventId}:replay:2`);

      expect((await call('POST', `/events/${eventId}/replay`, { body: { subscriberIds: [randomUUID()] } })).status).toBe(404);
      await expect400('POST', `/events/${eventId}/replay`, 'subscriberIds', { subscriberIds: ['not-a-uuid'] });
      await expect400('POST', `/events/${eventId}/replay`, 'subscriberIds', { subscriberIds: [] });
    });

    describe('failed deliveries', () => {
      let down: Receiver;
      let subscriberId: string;
      const events: string[] = [];

      beforeAll(async () => {
        down = await receiver([500]);
        subscriberId = (await subscribe({ name: 'down', kind: 'http', url: down.url, filter: { providers: ['allpass'], types: ['verification.flagged'] }, retry: fast(1) }, down)).id;
        events.push(await send('allpass', 'expiredDocument'), await send('allpass', 'applicantDuplicateEmail'));
        await waitFor(async () => (await deliveriesOf(subscriberId, 'failed')).data.length === 2, 10_000, 'deliveries did not fail');
      });

      it('lists deliveries by status, subscriber, event and time, newest first', async () => {
        const all = await deliveriesOf(subscriberId);
        expect(all.data.map((delivery) => delivery.eventId)).toEqual([...events].reverse());
        expect(all.data.every((delivery) => delivery.status === 'failed' && delivery.attempts === 1)).toBe(true);
        expect(Object.keys(all.data[0]).sort()).toEqual(['attempts', 'completedAt', 'createdAt', 'eventId', 'id', 'lastError', 'nextAttemptAt', 'replays', 'status', 'subscriberId']);
        expect((await deliveriesOf(subscriberId, 'succeeded')).data).toEqual([]);
        expect(ids(await get(`/deliveries?eventId=${events[0]}`))).toEqual([all.data[1].id]);
        const failed = await get<Page<Delivery>>('/deliveries?status=failed');
        expect(failed.data.every((delivery) => delivery.status === 'failed')).toBe(true);
        expect(ids(failed)).toEqual(expect.arrayContaining(ids(all)));
        expect((await get<Page<Delivery>>('/deliveries?status=succeeded')).data.length).toBeGreaterThan(0);

        const first = await get<Page<Delivery>>(`/deliveries?subscriberId=${subscriberId}&limit=1`);
        expect(ids(first)).toEqual([all.data[0].id]);
        const second = await get<Page<Delivery>>(`/deliveries?subscriberId=${subscriberId}&limit=1&cursor=${first.nextCursor}`);
        expect(ids(second)).toEqual([all.data[1].id]);
        expect(second.nextCursor).toBeNull();

        const later = new Date(Date.now() + 60_000).toISOString();
        expect((await get<Page<Delivery>>(`/deliveries?subscriberId=${subscriberId}&from=${later}`)).data).toEqual([]);
        expect(ids(await get(`/deliveries?subscriberId=${subscriberId}&to=${later}`))).toEqual(ids(all));
      });

      it('retries one failed delivery', async () => {
        down['statuses'] = [200];
        const [newest, oldest] = (await deliveriesOf(subscriberId)).data;
        const retry = await call<Delivery>('POST', `/deliveries/${oldest.id}/retry`);
        expect(retry).toEqual({ status: 202, body: expect.objectContaining({ id: oldest.id, status: 'pending', attempts: 0, replays: 1, lastError: null, completedAt: null }) });
        await waitFor(async () => (await deliveriesOf(subscriberId, 'succeeded')).data.length === 1, 10_000, 'retried delivery did not succeed');
        expect(ids(await deliveriesOf(subscriberId, 'succeeded'))).toEqual([oldest.id]);
        expect(ids(await deliveriesOf(subscriberId, 'failed'))).toEqual([newest.id]);
        const detail = await get<{ deliveries: Delivery[] }>(`/events/${oldest.eventId}`);
        expect(detail.deliveries[0].attemptLog!.map((attempt) => [attempt.attemptNumber, attempt.outcome])).toEqual([
          [1, 'failed'],
          [1, 'succeeded'],
        ]);
      });

      it('answers 404 to retrying an unknown or malformed delivery id', async () => {
        for (const id of [randomUUID(), 'not-a-uuid']) {
          expect(await call('POST', `/deliveries/${id}/retry`)).toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'delivery not found' } });
        }
      });
    });

    it('retries every failed delivery of a subscriber at once', async () => {
      const down = await receiver([500]);
      const subscriber = await subscribe({ name: 'bulk', kind: 'http', url: down.url, filter: { providers: ['complycube'], types: ['document.*'] }, retry: fast(1) }, down);
      for (const type of ['document.created', 'document.updated', 'document.deleted']) await send('complycube', type);
      await waitFor(async () => (await deliveriesOf(subscriber.id, 'failed')).data.length === 3, 10_000, 'deliveries did not fail');

      down['statuses'] = [200];
      expect(await call('POST', '/deliveries/retry', { body: { subscriberId: subscriber.id, status: 'failed' } })).toEqual({ status: 202, body: { queued: 3 } });
      await waitFor(async () => (await deliveriesOf(subscriber.id, 'succeeded')).data.length === 3, 10_000, 'retried deliveries did not succeed');
      expect(down.received.map((delivery) => delivery.status).sort()).toEqual([200, 200, 200, 500, 500, 500]);
      expect((await deliveriesOf(subscriber.id)).data.map((delivery) => delivery.replays)).toEqual([1, 1, 1]);

      // Nothing failed is left: nothing to retry.
      expect(await call('POST', '/deliveries/retry', { body: { subscriberId: subscriber.id, status: 'failed' } })).toEqual({ status: 202, body: { queued: 0 } });
    });

    it('restarts a large set in batches, in the background', async () => {
      // A disabled subscriber: its restarted deliveries wait as pending, so only the restart is measured.
      const queue = `held-${randomBytes(3).toString('hex')}`;
      const subscriber = await subscribe({ name: queue, kind: 'queue', queue, filter: { providers: ['verifik'], types: ['none.such'] }, enabled: false });
      const now = new Date();
      const rows = Array.from({ length: 600 }, () => ({
        id: uuidv7(),
        eventId: randomUUID(),
        subscriberId: subscriber.id,
        status: 'failed' as const,
        attempts: 1,
        replays: 0,
        nextAttemptAt: null,
        lastError: 'HTTP 500',
        createdAt: now,
        updatedAt: now,
        completedAt: now,
      }));
      const repository = app.app.get(DataSource).getRepository(DeliveryEntity);
      for (let i = 0; i < rows.length; i += 100) await repository.insert(rows.slice(i, i + 100));

      expect(await call('POST', '/deliveries/retry', { body: { subscriberId: subscriber.id, status: 'failed' } })).toEqual({ status: 202, body: { queued: 600 } });
      await waitFor(async () => (await repository.countBy({ subscriberId: subscriber.id, status: 'pending', replays: 1 })) === 600, 30_000, 'not every delivery was restarted');
    });

    it('refuses a bulk retry without a filter, or with an invalid one', async () => {
      await expect400('POST', '/deliveries/retry', 'body', {});
      await expect400('POST', '/deliveries/retry', 'body');
      await expect400('POST', '/deliveries/retry', 'status', { status: 'done' });
      await expect400('POST', '/deliveries/retry', 'from', { from: 'yesterday' });
      await expect400('POST', '/deliveries/retry', 'subscriberId', { subscriberId: 'someone' });
      await expect400('POST', '/deliveries/retry', 'limit', { status: 'failed', limit: 10 });
    });

    it.each([
      ['a bad status', '?status=done', 'status'],
      ['a subscriberId that is not an id', '?subscriberId=billing', 'subscriberId'],
      ['an eventId that is not an id', '?eventId=1', 'eventId'],
      ['a from that is not a date', '?from=yesterday', 'from'],
      ['a forged cursor', '?cursor=abc', 'cursor'],
      ['limit 501', '?limit=501', 'limit'],
    ])('answers 400 to a delivery list with %s', async (_, query, field) => {
      await expect400('GET', `/deliveries${query}`, field);
    });
  });

  describe('inbound', () => {
    it('lists refused requests with their reasons, newest first', async () => {
      const start = await instant();
      const forged = build('complycube', 'check.pending');
      const body = forged.body;
      const refused = await post(`${app.url}/webhooks/complycube/default`, { headers: { ...forged.headers, 'complycube-signature': '0'.repeat(64) }, body });
      expect(refused.status).toBe(401);
      await waitFor(async () => (await get<Page<Json>>(`/inbound?from=${start}`)).data.length === 1, 5_000, 'refusal not recorded');
      expect((await post(`${app.url}/webhooks/acme`, build('complycube', 'check.pending'))).status).toBe(404);
      await waitFor(async () => (await get<Page<Json>>(`/inbound?from=${start}`)).data.length === 2, 5_000, 'refusal not recorded');

      const page = await get<Page<Json>>(`/inbound?from=${start}`);
      expect(page.data.map((refusal) => refusal.reason)).toEqual(['unknown_provider', 'invalid_signature']);
      expect(page.data[1]).toEqual({
        id: expect.any(String),
        provider: 'complycube',
        connection: 'default',
        statusCode: 401,
        reason: 'invalid_signature',
        detail: expect.any(String),
        sourceIp: expect.stringContaining('127.0.0.1'),
        sizeBytes: Buffer.byteLength(body),
        receivedAt: expect.any(String),
        count: 1,
      });
      expect(JSON.stringify(page)).not.toContain(body);

      expect((await get<Page<Json>>('/inbound?reason=invalid_signature')).data.map((refusal) => refusal.id)).toEqual([page.data[1].id]);
      expect((await get<Page<Json>>('/inbound?provider=acme')).data.map((refusal) => refusal.id)).toEqual([page.data[0].id]);
      const first = await get<Page<Json>>(`/inbound?from=${start}&limit=1`);
      expect(ids(first as Page<{ id: string }>)).toEqual([page.data[0].id]);
      const second = await get<Page<Json>>(`/inbound?from=${start}&limit=1&cursor=${first.nextCursor}`);
      expect(ids(second as Page<{ id: string }>)).toEqual([page.data[1].id]);
      expect((await get<Page<Json>>(`/inbound?to=${start}`)).data).toEqual([]);
    });

    it.each([
      ['an unknown reason', '?reason=bored', 'reason'],
      ['a from that is not a date', '?from=soon', 'from'],
      ['limit 501', '?limit=501', 'limit'],
    ])('answers 400 to %s', async (_, query, field) => {
      await expect400('GET', `/inbound${query}`, field);
    });
  });
});
