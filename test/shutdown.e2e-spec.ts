import { request as httpRequest } from 'node:http';
import { Agent, request } from 'undici';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { databaseOptions, DeliveryAttemptEntity, DeliveryEntity, initializeDataSource, SubscriberStore } from '@kyc/persistence';
import { findProvider, SimulatedRequest } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';
import { freePort, GatewayProcess, WorkerProcess } from './support/worker-process';

const SECRET = 'cc-shutdown';
const complycube = findProvider('complycube')!;
const webhook = (): SimulatedRequest => complycube.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: complycube.parseOptions({}) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client saw: an HTTP status (and event id), or the error code of a failed connection. */
type Seen = { status: number; eventId?: string } | { error: string };

/** On a kept-alive connection of `agent`, as a load balancer or vendor would send it. */
async function sendKeptAlive(agent: Agent, url: string): Promise<Seen> {
  const { headers, body } = webhook();
  try {
    const response = await request(`${url}/webhooks/complycube`, { method: 'POST', headers, body, dispatcher: agent });
    const answer = (await response.body.json()) as { eventId?: string };
    return { status: response.statusCode, eventId: answer.eventId };
  } catch (error) {
    return { error: errorCode(error) };
  }
}

/** On a new connection, as a client arriving now would. */
function sendFresh(url: string, method: 'GET' | 'POST', path: string): Promise<Seen> {
  const { headers, body } = method === 'POST' ? webhook() : { headers: {}, body: undefined };
  return new Promise((resolve) => {
    const outgoing = httpRequest(`${url}${path}`, { method, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      response.on('error', (error) => resolve({ error: errorCode(error) }));
    });
    outgoing.on('error', (error) => resolve({ error: errorCode(error) }));
    outgoing.end(body);
  });
}

function errorCode(error: unknown): string {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return cause?.code ?? code ?? String(error);
}

const REFUSED = { error: 'ECONNREFUSED' };

describe.each(DATABASE_KINDS)('graceful shutdown on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });

  afterAll(() => database?.drop());

  it('the gateway answers every request in flight, turns readiness false, refuses new connections, and exits 0', async () => {
    const config = testConfig({ DATABASE_URL: database.url, COMPLYCUBE_WEBHOOK_SECRET: SECRET, SHUTDOWN_DELAY_MS: '1000', LOG_LEVEL: 'info' });
    const gateway = new GatewayProcess(config, await freePort());
    const agent = new Agent({ connections: 64 });
    try {
      gateway.start();
      await gateway.ready();

      const burst = Array.from({ length: 50 }, () => sendKeptAlive(agent, gateway.url));
      await Promise.race(burst);
      const exit = gateway.terminate('SIGTERM');
      await waitFor(() => gateway.output.includes('SIGTERM received'), 5_000);

      // Newcomers while it shuts down: served during SHUTDOWN_DELAY_MS (readiness already false), then refused.
      const webhooks: Seen[] = [];
      const readiness: Seen[] = [];
      while (gateway.running) {
        const [hook, ready] = await Promise.all([sendFresh(gateway.url, 'POST', '/webhooks/complycube'), sendFresh(gateway.url, 'GET', '/health/ready')]);
        webhooks.push(hook);
        readiness.push(ready);
        await sleep(25);
      }
      const exited = await exit;
      const inFlight = await Promise.all(burst);
      if (process.env.TEST_FIGURES) {
        const count = (seen: Seen[], what: object) => seen.filter((one) => JSON.stringify(one).includes(JSON.stringify(what).slice(1, -1))).length;
        process.stdout.write(
          `${kind}: exit ${exited.code} after ${exited.ms} ms; in flight: ${count(inFlight, { status: 200 })}/50 answered 200; ` +
            `newcomers: ${count(webhooks, { status: 200 })} served, ${count(webhooks, REFUSED)} refused; readiness: ${count(readiness, { status: 503 })} × 503\n`,
        );
      }

      expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
      expect(exited.ms).toBeLessThan(15_000);
      // Every request in flight got its answer; none was cut, none got a 5xx.
      for (const seen of inFlight) expect(seen).toEqual({ status: 200, eventId: expect.any(String) });
      for (const seen of webhooks) expect([{ status: 200 }, REFUSED]).toContainEqual(seen);
      for (const seen of readiness) expect([{ status: 503 }, REFUSED]).toContainEqual(seen);
      expect(readiness).toContainEqual({ status: 503 });
      expect(webhooks).toContainEqual({ status: 200 });
      expect(webhooks.at(-1)).toEqual(REFUSED);

      // Acknowledged means stored.
      const dataSource = await initializeDataSource(databaseOptions({ url: database.url, migrate: false }));
      try {
        const stored = new Set((await dataSource.query<{ id: string }[]>('SELECT id FROM events')).map((row) => row.id));
        for (const seen of inFlight) expect(stored.has((seen as { eventId: string }).eventId)).toBe(true);
      } finally {
        await dataSource.destroy();
      }
    } finally {
      await agent.close();
      await gateway.kill();
    }
  });

  describe('the worker', () => {
    let config: AppConfig;
    let gateway: TestApp;
    let receiver: Receiver;
    let worker: WorkerProcess;

    beforeAll(async () => {
      config = testConfig({ DATABASE_URL: database.url, COMPLYCUBE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'info' });
      gateway = await startTestApp(config);
      receiver = await new Receiver([200], 2_000).start();
    });

    afterAll(async () => {
      await worker?.kill();
      await receiver?.stop();
      await gateway?.close();
    });

    it('finishes the delivery in progress before exiting 0', async () => {
      const created = await gateway.app.get(SubscriberStore).create({ name: 'slow-receiver', kind: 'http', url: receiver.url });
      receiver.secret = created.secret!;
      worker = new WorkerProcess(config);
      worker.start();
      expect((await post(`${gateway.url}/webhooks/complycube`, webhook())).status).toBe(200);
      await waitFor(() => receiver.arrived === 1, 60_000, `the delivery did not start:\n${worker.output}`);

      const exited = await worker.terminate('SIGTERM');
      expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
      // It waited for the receiver's answer (2 s), within the bound.
      expect(exited.ms).toBeGreaterThan(1_000);
      expect(exited.ms).toBeLessThan(15_000);
      expect(receiver.received.map((delivery) => delivery.status)).toEqual([200]);
      const dataSource = gateway.app.get(DataSource);
      const [delivery] = await dataSource.getRepository(DeliveryEntity).findBy({ subscriberId: created.subscriber.id });
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(await dataSource.getRepository(DeliveryAttemptEntity).findBy({ deliveryId: delivery.id })).toEqual([expect.objectContaining({ outcome: 'succeeded', httpStatus: 200 })]);
      if (process.env.TEST_FIGURES) process.stdout.write(`${kind}: worker exit ${exited.code} after ${exited.ms} ms, the 2 s delivery in progress completed\n`);
    });
  });
});
