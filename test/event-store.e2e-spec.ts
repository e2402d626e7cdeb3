import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox } from '@kyc/core';
import { databaseOptions, EventEntity, EventStore, initializeDataSource, StorageUnavailableError } from '@kyc/persistence';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, aVerificationEvent } from '@kyc/testing';

const event = aVerificationEvent;

/** Concurrent webhooks share one INSERT (group commit); each still gets its own outcome. */
describe.each(DATABASE_KINDS)('EventStore.record batching on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await initializeDataSource(databaseOptions({ url: database.url, migrate: true }));
    store = new EventStore(dataSource.getRepository(EventEntity), new SecretBox(randomBytes(32)), testConfig());
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  afterEach(() => jest.restoreAllMocks());

  it('stores 300 concurrent events in far fewer statements, each exactly once', async () => {
    const query = jest.spyOn(dataSource.manager, 'query');
    const events = Array.from({ length: 300 }, (_, index) => event(`evt-many-${index}`));
    const results = await Promise.all(events.map((each) => store.record(each, { id: each.providerEventId })));
    expect(results).toEqual(events.map((each) => ({ eventId: each.id, duplicate: false })));
    expect(query.mock.calls.length).toBeLessThanOrEqual(10);
    const stored = await dataSource.getRepository(EventEntity).findBy({});
    expect(stored.filter((row) => row.providerEventId.startsWith('evt-many-'))).toHaveLength(300);
    const one = await store.findById(events[123].id);
    expect(one).toEqual(events[123]);
    expect(await store.findPayload(events[123].id)).toEqual({ id: 'evt-many-123' });
  });

  it('makes the second of two copies in one batch a duplicate of the first', async () => {
    const [first, second] = [event('evt-twice'), event('evt-twice')];
    const results = await Promise.all([store.record(first, {}), store.record(second, {})]);
    expect(results).toEqual([
      { eventId: first.id, duplicate: false },
      { eventId: first.id, duplicate: true },
    ]);
    expect(await dataSource.getRepository(EventEntity).countBy({ providerEventId: 'evt-twice' })).toBe(1);
    expect(await store.record(event('evt-twice'), {})).toEqual({ eventId: first.id, duplicate: true });
  });

  it('fails only the row the database refuses, not the rest of its batch', async () => {
    const good = Array.from({ length: 5 }, (_, index) => event(`evt-beside-poison-${index}`));
    const poison = event('evt-poison', { connection: null as unknown as string });
    const outcomes = await Promise.allSettled([...good, poison].map((each) => store.record(each, {})));
    expect(outcomes.slice(0, 5).map((outcome) => outcome.status)).toEqual(Array(5).fill('fulfilled'));
    expect(outcomes[5].status).toBe('rejected');
    expect((outcomes[5] as PromiseRejectedResult).reason).toBeInstanceOf(StorageUnavailableError);
    expect(await dataSource.getRepository(EventEntity).count({ where: good.map((each) => ({ id: each.id })) })).toBe(5);
  });

  // Last: it closes the database.
  it('answers StorageUnavailableError to every waiting webhook when the database is gone', async () => {
    await dataSource.destroy();
    const outcomes = await Promise.allSettled([event('evt-gone-1'), event('evt-gone-2')].map((each) => store.record(each, {})));
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason instanceof StorageUnavailableError)).toBe(true);
  });
});
