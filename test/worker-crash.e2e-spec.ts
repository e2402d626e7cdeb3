import { randomBytes } from 'node:crypto';
import { Job, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { DeliveryEntity, SubscriberStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { redisOptions } from '@kyc/queue';
import { createTestDatabase, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';
import { WorkerProcess } from './support/worker-process';

const complycube = findProvider('complycube')!;
const credentials = { secrets: { webhookSecret: 'crash-secret' }, options: complycube.parseOptions({}) };
const EVENTS = 60;

/**
 * Two worker processes deliver at once; both are SIGKILLed mid-delivery and one is started again.
 * Nothing may be lost, and each (event, subscriber) pair has exactly one delivery record.
 */
describe('worker crashes and concurrent workers (PostgreSQL)', () => {
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;
  let receiver: Receiver;
  let consumer: Worker;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    config = testConfig({ DATABASE_URL: database.url, COMPLYCUBE_WEBHOOK_SECRET: 'crash-secret' });
    gateway = await startTestApp(config);
    receiver = await new Receiver([200], 150).start();
  });

  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    await consumer?.close();
    await receiver?.stop();
    await gateway?.close();
    await database?.drop();
  });

  it('loses nothing and duplicates no delivery record', async () => {
    const store = gateway.app.get(SubscriberStore);
    const queueName = `crash-${randomBytes(3).toString('hex')}`;
    const http = await store.create({ name: 'crash-http', kind: 'http', url: receiver.url, retry: { maxAttempts: 10, backoff: { type: 'fixed', delayMs: 200 } } });
    receiver.secret = http.secret!;
    await store.create({ name: 'crash-queue', kind: 'queue', queue: queueName });
    const queued: Job[] = [];
    consumer = new Worker(queueName, async (job) => void queued.push(job), { connection: redisOptions(config.env.REDIS_URL, 'worker'), prefix: config.env.QUEUE_PREFIX });

    for (let i = 0; i < 2; i++) {
      const worker = new WorkerProcess(config);
      worker.start();
      workers.push(worker);
    }
    const answers = await Promise.all(Array.from({ length: EVENTS }, () => post(`${gateway.url}/webhooks/complycube`, complycube.simulator.build('check.completed.clear', credentials))));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const eventIds = answers.map((answer) => answer.body.eventId as string);

    await waitFor(() => receiver.received.length >= 10, 30_000, `workers did not start delivering:\n${workers.map((w) => w.output).join('\n')}`);
    for (const worker of workers) await worker.kill();
    const deliveredBeforeCrash = new Set(receiver.eventIds()).size;
    // Two workers at once, before any crash: no attempt was made twice.
    expect(receiver.eventIds()).toHaveLength(deliveredBeforeCrash);

    const restarted = new WorkerProcess(config);
    restarted.start();
    workers.push(restarted);

    const deliveries = gateway.app.get(DataSource).getRepository(DeliveryEntity);
    await waitFor(async () => (await deliveries.countBy({ status: 'succeeded' })) === EVENTS * 2, 60_000, 'not every delivery succeeded after the restart');
    await waitFor(() => new Set(receiver.eventIds()).size === EVENTS && queued.length >= EVENTS, 10_000);

    expect(await deliveries.count()).toBe(EVENTS * 2);
    expect(new Set(receiver.eventIds())).toEqual(new Set(eventIds));
    expect(receiver.received.every((delivery) => delivery.signatureValid)).toBe(true);
    expect(new Set(queued.map((job) => job.id))).toEqual(new Set(eventIds));
    expect(queued).toHaveLength(EVENTS);
    const duplicates = receiver.eventIds().length - EVENTS;
    console.log(
      `worker crash: ${EVENTS} events × 2 subscribers, ${deliveredBeforeCrash} HTTP deliveries before the SIGKILLs, ${duplicates} duplicate HTTP deliveries after recovery (at-least-once), 0 lost`,
    );
  }, 120_000);
});
