import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox } from '@kyc/core';
import { databaseOptions, DeliveryAttemptEntity, DeliveryEntity, DeliveryStore, EventEntity, EventStore, initializeDataSource } from '@kyc/persistence';
import { aVerificationEvent, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase } from '@kyc/testing';

/**
 * The dispatch record: new deliveries (those handed over closed, with their attempt) and the events
 * marked dispatched, written once however often a pass is run again (crash, retry, another worker).
 */
describe.each(DATABASE_KINDS)('DeliveryStore.recordDispatch on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let deliveries: DeliveryStore;
  let events: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await initializeDataSource(databaseOptions({ url: database.url, migrate: true }));
    deliveries = new DeliveryStore(dataSource.getRepository(DeliveryEntity), dataSource.getRepository(DeliveryAttemptEntity));
    events = new EventStore(dataSource.getRepository(EventEntity), new SecretBox(randomBytes(32)), testConfig());
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  const storedEvent = async (name: string) => {
    const event = aVerificationEvent(name);
    await events.record(event, {});
    return event.id;
  };
  const attemptsOf = (deliveryIds: string[]) => dataSource.getRepository(DeliveryAttemptEntity).findBy(deliveryIds.map((deliveryId) => ({ deliveryId })));
  const dispatchedAt = async (eventId: string) => (await dataSource.getRepository(EventEntity).findOneByOrFail({ id: eventId })).dispatchedAt;

  it('stores each delivery once, with one attempt for those handed over, and marks the events dispatched', async () => {
    const [first, second] = [await storedEvent('evt-record-1'), await storedEvent('evt-record-2')];
    const handOver = { attemptedAt: new Date(1_767_000_000_000), durationMs: 3.4 };
    const planned = [deliveries.newDelivery(first, 'sub-queue'), deliveries.newDelivery(first, 'sub-http'), deliveries.newDelivery(second, 'sub-queue')];
    const handedOver = new Map([planned[0], planned[2]].map((delivery) => [delivery.id, handOver]));

    const recorded = await deliveries.recordDispatch(planned, handedOver, [first, second]);

    expect(recorded.existing).toEqual([]);
    expect(recorded.stored.map((row) => [row.id, row.status, row.attempts])).toEqual([
      [planned[0].id, 'succeeded', 1],
      [planned[1].id, 'pending', 0],
      [planned[2].id, 'succeeded', 1],
    ]);
    const stored = await dataSource.getRepository(DeliveryEntity).findBy(planned.map(({ id }) => ({ id })));
    expect(stored.find((row) => row.id === planned[0].id)).toMatchObject({ status: 'succeeded', attempts: 1, completedAt: handOver.attemptedAt, nextAttemptAt: null });
    expect(stored.find((row) => row.id === planned[1].id)).toMatchObject({ status: 'pending', attempts: 0, completedAt: null });
    const attempts = await attemptsOf(planned.map(({ id }) => id));
    expect(attempts.map((attempt) => [attempt.deliveryId, attempt.attemptNumber, attempt.outcome, attempt.durationMs, attempt.attemptedAt]).sort()).toEqual(
      [
        [planned[0].id, 1, 'succeeded', 3, handOver.attemptedAt],
        [planned[2].id, 1, 'succeeded', 3, handOver.attemptedAt],
      ].sort(),
    );
    expect(await dispatchedAt(first)).not.toBeNull();
    expect(await dispatchedAt(second)).not.toBeNull();
  });

  it('leaves what a previous run stored as it stands and returns it as existing', async () => {
    const eventId = await storedEvent('evt-record-again');
    const handOver = { attemptedAt: new Date(), durationMs: 1 };
    const firstRun = [deliveries.newDelivery(eventId, 'sub-a')];
    await deliveries.recordDispatch(firstRun, new Map([[firstRun[0].id, handOver]]), [eventId]);
    const markedAt = await dispatchedAt(eventId);

    // The pass again (a crash after the record, a second worker): new ids for the same pairs, plus a new subscriber.
    const secondRun = [deliveries.newDelivery(eventId, 'sub-a'), deliveries.newDelivery(eventId, 'sub-b')];
    const recorded = await deliveries.recordDispatch(secondRun, new Map(secondRun.map((delivery) => [delivery.id, handOver])), [eventId]);

    expect(recorded.stored.map((row) => row.id)).toEqual([secondRun[1].id]);
    expect(recorded.existing.map((row) => [row.id, row.subscriberId, row.status])).toEqual([[firstRun[0].id, 'sub-a', 'succeeded']]);
    expect(await dataSource.getRepository(DeliveryEntity).countBy({ eventId })).toBe(2);
    // One attempt per stored delivery: none for the pair the first run had recorded.
    expect((await attemptsOf([firstRun[0].id, secondRun[0].id, secondRun[1].id])).map((attempt) => attempt.deliveryId).sort()).toEqual([firstRun[0].id, secondRun[1].id].sort());
    expect(await dispatchedAt(eventId)).toEqual(markedAt);
  });

  it('marks events that match no subscriber dispatched', async () => {
    const eventId = await storedEvent('evt-record-nobody');
    expect(await deliveries.recordDispatch([], new Map(), [eventId])).toEqual({ stored: [], existing: [] });
    expect(await dispatchedAt(eventId)).not.toBeNull();
  });
});
