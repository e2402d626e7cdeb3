import { DataSource, IsNull } from 'typeorm';
import { EventEntity } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, RedisServer, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const complycube = findProvider('complycube')!;
const credentials = { secrets: { webhookSecret: 'relay-secret' }, options: complycube.parseOptions({}) };

/**
 * Nothing acknowledged may be lost: with Redis down the gateway still acknowledges what it
 * stored, and the worker's relay queues it once Redis is back.
 */
describe.each(DATABASE_KINDS)('outbox relay on %s', (kind) => {
  const redis = new RedisServer(6400 + Math.floor(Math.random() * 500));
  let database: TestDatabase;
  let gateway: TestApp;
  let events: ReturnType<DataSource['getRepository']>;

  beforeAll(async () => {
    await redis.start();
    database = await createTestDatabase(kind);
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: redis.url, COMPLYCUBE_WEBHOOK_SECRET: 'relay-secret' });
    gateway = await startTestApp(config, { worker: true });
    events = gateway.app.get(DataSource).getRepository(EventEntity);
  });

  afterAll(async () => {
    await gateway?.close();
    await redis.stop();
    await database?.drop();
  });

  const send = () => post(`${gateway.url}/webhooks/complycube`, complycube.simulator.build('check.completed.clear', credentials));

  it('dispatches an event promptly while Redis is up', async () => {
    const answer = await send();
    expect(answer.status).toBe(200);
    await waitFor(async () => (await events.findOneBy({ id: answer.body.eventId as string }))?.dispatchedAt != null, 10_000);
  });

  it('acknowledges webhooks while Redis is down and relays them once it is back', async () => {
    await redis.stop();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 25 }, send));
    expect(answers.map((answer) => answer.status)).toEqual(Array(25).fill(200));
    expect(Date.now() - started).toBeLessThan(5_000);
    const ids = answers.map((answer) => answer.body.eventId as string);
    expect(await events.countBy({ dispatchedAt: IsNull() })).toBe(25);

    await redis.start();
    await waitFor(async () => (await events.countBy({ dispatchedAt: IsNull() })) === 0, 30_000, 'relay did not drain the outbox');
    expect(await events.count()).toBe(26);
    for (const id of ids) expect((await events.findOneBy({ id }))?.dispatchedAt).toBeInstanceOf(Date);
  });
});
