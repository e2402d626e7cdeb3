import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { AppConfig } from '@kyc/config';
import type { VerificationEvent } from '@kyc/core';
import { EventEntity, MIGRATIONS, SubscriberInput, SubscriberStore, VerificationEntity } from '@kyc/persistence';
import { AdminClient, aSeedVendorSet, aSubscriber, consumeQueue, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { SubscriberCache, VerificationBackfill } from '@kyc/worker';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const T0 = Date.parse('2026-04-01T08:00:00.000Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);

/** The verification state as subscribers and operators see it: through webhooks, the queues and the admin API. */
describe.each(DATABASE_KINDS)('verifications end to end on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  const consumers: Array<{ close: () => Promise<void> }> = [];
  const vendors = aSeedVendorSet();
  let admin: AdminClient;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({ DATABASE_URL: database.url, ...vendors.environment });
    app = await startTestApp(config, { worker: true });
    admin = new AdminClient(app.url, config.adminApiKey);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.close().catch(() => undefined);
    await app?.close();
    await database?.drop();
  });

  type List = { data?: Array<Record<string, unknown>>; nextCursor?: string | null; timeline?: unknown; event?: unknown } & Record<string, unknown>;
  const get = (path: string) => admin.get<List>(path);
  const send = async (type: string, minute: number, applicantId: string) => {
    const answer = await post(`${app.url}/webhooks/allpass`, vendors.build('allpass', type, { now: at(minute), payload: { id: applicantId } }));
    expect(answer.status).toBe(200);
    return answer.body.eventId as string;
  };
  async function subscribeQueue(input: Pick<SubscriberInput, 'name' | 'filter'>): Promise<Job<VerificationEvent>[]> {
    const subscriber = aSubscriber(input);
    await app.app.get(SubscriberStore).create(subscriber);
    await app.app.get(SubscriberCache).reload();
    const consumer = consumeQueue(subscriber.queue, config.env);
    consumers.push(consumer);
    return consumer.jobs;
  }

  it('delivers a stale retry only to subscribers with includeStale, and shows the timeline in vendor-time order', async () => {
    const applicantId = randomUUID();
    const plain = await subscribeQueue({ name: `plain-${kind}`, filter: { types: ['verification.*'] } });
    const everything = await subscribeQueue({ name: `stale-too-${kind}`, filter: { types: ['verification.*'], includeStale: true } });

    const approved = await send('applicantApproved', 20, applicantId);
    await waitFor(() => plain.length === 1, 15_000, 'the approval was not delivered');
    // The vendor's retry of an older event arrives late: stored, delivered to `everything` only.
    const review = await send('applicantInReview', 10, applicantId);
    await waitFor(() => everything.length === 2, 15_000, 'the stale event did not reach the includeStale subscriber');
    const rejected = await send('applicantRejected', 30, applicantId);
    await waitFor(() => plain.length === 2 && everything.length === 3, 15_000, 'the reversal was not delivered');

    expect(plain.map((job) => job.data.id)).toEqual([approved, rejected]);
    expect(everything.map((job) => job.data.id)).toEqual([approved, review, rejected]);
    const [first, stale, last] = everything.map((job) => job.data.verification!);
    expect(first).toEqual({ id: first.id, sequence: 1, status: 'approved', previousStatus: null, stale: false });
    expect(stale).toEqual({ id: first.id, sequence: 2, status: 'approved', previousStatus: 'approved', stale: true });
    expect(last).toEqual({ id: first.id, sequence: 3, status: 'rejected', previousStatus: 'approved', stale: false });
    expect(everything[1].data).toMatchObject({ type: 'verification.review', status: 'review', occurredAt: at(10).toISOString() });

    const list = await get(`/admin/verifications?applicantId=${applicantId}`);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([expect.objectContaining({ id: first.id, provider: 'allpass', connection: 'default', status: 'rejected', statusAt: at(30).toISOString(), events: 3 })]);
    const detail = await get(`/admin/verifications/${first.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: first.id, subject: expect.objectContaining({ applicantId }), status: 'rejected' });
    expect(detail.body.timeline).toEqual([
      expect.objectContaining({ eventId: review, type: 'verification.review', status: 'review', occurredAt: at(10).toISOString(), sequence: 2, stale: true }),
      expect.objectContaining({ eventId: approved, type: 'verification.approved', status: 'approved', occurredAt: at(20).toISOString(), sequence: 1, stale: false }),
      expect.objectContaining({ eventId: rejected, type: 'verification.rejected', status: 'rejected', occurredAt: at(30).toISOString(), sequence: 3, stale: false }),
    ]);
    // The event API carries the same block.
    expect((await get(`/admin/events/${review}`)).body.event).toMatchObject({ verification: { id: first.id, sequence: 2, stale: true } });

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/kyc_stale_events_total\{provider="allpass"\} [1-9]/);
  });

  it('filters verifications and refuses bad queries with 400, unknown ids with 404, no key with 401', async () => {
    const applicantId = randomUUID();
    await send('applicantInReview', 5, applicantId);
    await waitFor(async () => ((await get(`/admin/verifications?applicantId=${applicantId}`)).body.data ?? []).length === 1, 15_000);
    const ids = async (query: string) => ((await get(`/admin/verifications?${query}`)).body.data ?? []).map((each) => each.id);
    const [inReview] = await ids(`applicantId=${applicantId}`);
    // In review since 2026-04-01 (vendor time): stuck for any period up to now.
    expect(await ids('stuckForSeconds=3600&status=review')).toContain(inReview);
    expect(await ids(`stuckForSeconds=${Math.ceil((Date.now() - T0) / 1000) + 3600}`)).not.toContain(inReview);
    expect(await ids('status=approved')).not.toContain(inReview);
    expect(await ids('provider=complycube')).toEqual([]);
    expect(await ids(`updatedFrom=${new Date(Date.now() - 60_000).toISOString()}`)).toContain(inReview);
    expect(await ids(`updatedTo=${new Date(Date.now() - 3_600_000).toISOString()}`)).not.toContain(inReview);

    const page = await get('/admin/verifications?limit=1');
    expect(page.body.data).toHaveLength(1);
    expect(typeof page.body.nextCursor).toBe('string');
    const next = await get(`/admin/verifications?limit=1&cursor=${page.body.nextCursor as string}`);
    expect(next.body.data![0].id).not.toBe(page.body.data![0].id);

    for (const query of [
      'stuckForSeconds=-1',
      'stuckForSeconds=abc',
      'status=done',
      'provider=nobody',
      'updatedFrom=yesterday',
      `updatedFrom=${new Date().toISOString()}&updatedTo=2020-01-01T00:00:00Z`,
    ]) {
      expect({ query, status: (await get(`/admin/verifications?${query}`)).status }).toEqual({ query, status: 400 });
    }
    expect((await get(`/admin/verifications/${randomUUID()}`)).status).toBe(404);
    expect((await get('/admin/verifications/not-an-id')).status).toBe(404);
    expect((await admin.withKey('wrong-key').get('/admin/verifications')).status).toBe(401);
  });

  it('builds the verifications of events stored before the verification state, once, in vendor-time order', async () => {
    const applicantId = randomUUID();
    // Arriving out of order: approved, then the older review.
    const ids = [await send('applicantApproved', 40, applicantId), await send('applicantInReview', 35, applicantId)];
    const dataSource = app.app.get(DataSource);
    // Dispatched, not only applied: a pass still finishing would mark an event dispatched after the backfill looked.
    await waitFor(async () => (await dataSource.getRepository(EventEntity).countBy({ id: In(ids), dispatchedAt: Not(IsNull()) })) === 2, 15_000);

    // Back to the schema before the migration (its columns and table dropped, and the later migrations' first), and up again: every event is as an older gateway left it.
    const undo = MIGRATIONS.length - MIGRATIONS.findIndex((migration) => migration.name === 'Verifications1764374400000');
    for (let undone = 0; undone < undo; undone++) await dataSource.undoLastMigration({ transaction: 'all' });
    await dataSource.runMigrations({ transaction: 'all' });
    expect(await dataSource.getRepository(VerificationEntity).count()).toBe(0);

    const backfill = app.app.get(VerificationBackfill);
    expect(await backfill.backfillOnce()).toBeGreaterThanOrEqual(2);
    expect(await backfill.backfillOnce()).toBe(0);
    const [rebuilt] = (await get(`/admin/verifications?applicantId=${applicantId}`)).body.data!;
    expect(rebuilt).toMatchObject({ status: 'approved', statusAt: at(40).toISOString(), events: 2 });
    // In vendor-time order, the older review came first: nothing is stale.
    const timeline = (await get(`/admin/verifications/${rebuilt.id as string}`)).body.timeline as Array<Record<string, unknown>>;
    expect(timeline.map((entry) => [entry.status, entry.sequence, entry.stale])).toEqual([
      ['review', 1, false],
      ['approved', 2, false],
    ]);
  });
});
