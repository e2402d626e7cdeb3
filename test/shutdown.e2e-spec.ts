import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { DeliveryAttemptEntity, DeliveryEntity, SubscriberStore } from '@kyc/persistence';
import { findProvider, SimulatedRequest } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';
import { freePort, GatewayProcess, storedEventIds, WorkerProcess } from './support/worker-process';

const SECRET = 'cc-shutdown';
const complycube = findProvider('complycube')!;
const webhook = (): SimulatedRequest => complycube.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: complycube.parseOptions({}) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client saw: an HTTP status (and event id), or the error of a connection that failed before or during the answer. */
type Seen = { status: number; eventId?: string } | { error: string } | { cutMidResponse: string };

/**
 * One request over node:http: `agent` a keep-alive agent (a vendor or load balancer reusing
 * connections), or false for a new connection (a client arriving now).
 */
function send(url: string, method: 'GET' | 'POST', path: string, agent: HttpAgent | false): Promise<Seen> {
  const { headers, body } = method === 'POST' ? webhook() : { headers: {}, body: undefined };
  return new Promise((resolve) => {
    const outgoing = httpRequest(`${url}${path}`, { method, headers, agent }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, ...(method === 'POST' && response.statusCode === 200 ? { eventId: (JSON.parse(text) as { eventId: string }).eventId } : {}) }),
      );
      response.on('aborted', () => resolve({ cutMidResponse: 'aborted' }));
      response.on('error', (error) => resolve({ cutMidResponse: errorCode(error) }));
    });
    outgoing.on('error', (error) => resolve({ error: errorCode(error) }));
    outgoing.end(body);
  });
}

function errorCode(error: unknown): string {
  return (error as { code?: string }).code ?? String(error);
}

const REFUSED = { error: 'ECONNREFUSED' };
const RESET = { error: 'ECONNRESET' };
const same = (one: Seen | undefined, other: object) => JSON.stringify(one) === JSON.stringify(other);

/**
 * New connections, one after another, until one is refused or `deadline`. Not `while running`:
 * the process may exit right after serving the last one, so refusal must be waited for.
 */
async function untilRefused(attempt: () => Promise<Seen>, deadline: number): Promise<Seen[]> {
  const seen: Seen[] = [];
  while (Date.now() < deadline) {
    seen.push(await attempt());
    if (same(seen.at(-1), REFUSED)) break;
    await sleep(25);
  }
  return seen;
}

/**
 * Served until the listener closes, then refused (within the deadline). Only the attempt that
 * races the close may instead be reset: its handshake completed between the drain's last accept
 * and the listener's close, so it was never read.
 */
function expectServedThenRefused(seen: Seen[], served: object): void {
  expect(seen.at(-1)).toEqual(REFUSED);
  const before = seen.slice(0, -1);
  if (same(before.at(-1), RESET)) before.pop();
  for (const one of before) expect(one).toEqual(served);
}

describe.each(DATABASE_KINDS)('graceful shutdown on %s', (kind) => {
  it.each([0, 1_000])('the gateway (SHUTDOWN_DELAY_MS %i) answers every request in flight, turns readiness false, refuses new connections, and exits 0', async (delayMs) => {
    const gatewayDatabase = await createTestDatabase(kind);
    const config = testConfig({ DATABASE_URL: gatewayDatabase.url, COMPLYCUBE_WEBHOOK_SECRET: SECRET, SHUTDOWN_DELAY_MS: String(delayMs), LOG_LEVEL: 'info' });
    const gateway = new GatewayProcess(config, await freePort());
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
    try {
      gateway.start();
      await gateway.ready();

      // 50 connections open and accepted first (kept alive by the vendor's side), so that each of
      // the 50 webhooks is surely in the gateway's hands when the signal comes.
      const warmUp = await Promise.all(Array.from({ length: 50 }, () => send(gateway.url, 'GET', '/health/live', agent)));
      expect(warmUp.every((seen) => 'status' in seen && seen.status === 200)).toBe(true);
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(50);
      const burst = Array.from({ length: 50 }, () => send(gateway.url, 'POST', '/webhooks/complycube', agent));
      await Promise.race(burst);
      const signalledAt = Date.now();
      const exit = gateway.terminate('SIGTERM');
      await waitFor(() => gateway.output.includes('SIGTERM received'), 5_000);

      // Newcomers while it shuts down: served during SHUTDOWN_DELAY_MS (readiness already false), then refused.
      // The listener closes (or the process exits) by then, so refusal must come within the same bound as the exit.
      const deadline = signalledAt + delayMs + 5_000;
      const [webhooks, readiness] = await Promise.all([
        untilRefused(() => send(gateway.url, 'POST', '/webhooks/complycube', false), deadline),
        untilRefused(() => send(gateway.url, 'GET', '/health/ready', false), deadline),
      ]);
      const exited = await exit;
      const inFlight = await Promise.all(burst);
      if (process.env.TEST_FIGURES) {
        const count = (seen: Seen[], what: object) => seen.filter((one) => JSON.stringify(one).includes(JSON.stringify(what).slice(1, -1))).length;
        process.stdout.write(
          `${kind}, delay ${delayMs} ms: exit ${exited.code} after ${exited.ms} ms; in flight: ${count(inFlight, { status: 200 })}/50 answered 200; ` +
            `newcomers: ${count(webhooks, { status: 200 })} served, ${count(webhooks, REFUSED)} refused, ${count(webhooks, RESET)} reset; readiness: ${count(readiness, { status: 503 })} × 503\n`,
        );
      }

      expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
      // Well before SHUTDOWN_TIMEOUT_MS (10 s) would cut connections still open.
      expect(exited.ms).toBeLessThan(delayMs + 5_000);
      // Every request in flight got its answer; none was cut, none got a 5xx.
      for (const seen of inFlight) expect(seen).toEqual({ status: 200, eventId: expect.any(String) });
      // Every newcomer let in is answered in full (never a 5xx, never cut), and refusal does come.
      expectServedThenRefused(webhooks, { status: 200, eventId: expect.any(String) });
      expectServedThenRefused(readiness, { status: 503 });
      if (delayMs > 0) {
        // Readiness turned false while the gateway still served, for load balancers to notice
        // (the probes start once the signal is logged, well inside the 1 s delay).
        expect(readiness).toContainEqual({ status: 503 });
        expect(webhooks).toContainEqual({ status: 200, eventId: expect.any(String) });
      }

      // Acknowledged means stored.
      const stored = await storedEventIds(gatewayDatabase.url);
      const acknowledged = [...inFlight, ...webhooks].flatMap((seen) => ('eventId' in seen && seen.eventId ? [seen.eventId] : []));
      expect(acknowledged.filter((eventId) => !stored.has(eventId))).toEqual([]);
    } finally {
      agent.destroy();
      await gateway.kill();
      await gatewayDatabase.drop();
    }
  });

  describe('the worker', () => {
    let workerDatabase: TestDatabase;
    let config: AppConfig;
    let gateway: TestApp;
    let receiver: Receiver;
    let worker: WorkerProcess;

    beforeAll(async () => {
      workerDatabase = await createTestDatabase(kind);
      config = testConfig({ DATABASE_URL: workerDatabase.url, COMPLYCUBE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'info' });
      gateway = await startTestApp(config);
      receiver = await new Receiver([200], 2_000).start();
    });

    afterAll(async () => {
      await worker?.kill();
      await receiver?.stop();
      await gateway?.close();
      await workerDatabase?.drop();
    });

    it('finishes the delivery in progress before exiting 0', async () => {
      const created = await gateway.app.get(SubscriberStore).create({ name: 'slow-receiver', kind: 'http', url: receiver.url });
      receiver.secret = created.secret!;
      worker = new WorkerProcess(config);
      worker.start();
      expect((await post(`${gateway.url}/webhooks/complycube`, webhook())).status).toBe(200);
      await waitFor(() => receiver.arrived === 1, 60_000, `the delivery did not start:\n${worker.output}`);

      const exited = await worker.terminate('SIGTERM');
      const exitedBy = Date.now();
      expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
      // It waited for the receiver's answer (2 s), within the bound. Compared with the answer's own
      // time, not with a duration since the signal, which a slow poll above would shorten.
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0].at).toBeLessThanOrEqual(exitedBy);
      expect(exited.ms).toBeLessThan(15_000);
      expect(receiver.received.map((delivery) => delivery.status)).toEqual([200]);
      const dataSource = gateway.app.get(DataSource);
      const [delivery] = await dataSource.getRepository(DeliveryEntity).findBy({ subscriberId: created.subscriber.id });
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(await dataSource.getRepository(DeliveryAttemptEntity).findBy({ deliveryId: delivery.id })).toEqual([expect.objectContaining({ outcome: 'succeeded', httpStatus: 200 })]);
      if (process.env.TEST_FIGURES) process.stdout.write(`${kind}: worker exit ${exited.code} after ${exited.ms} ms, the 2 s delivery in progress completed\n`);
    });

    it('stops waiting for a delivery after SHUTDOWN_TIMEOUT_MS, exits 0, and another worker makes it', async () => {
      const stuck = await new Receiver([200], 30_000).start();
      try {
        const created = await gateway.app
          .get(SubscriberStore)
          .create({ name: 'stuck-receiver', kind: 'http', url: stuck.url, timeoutMs: 60_000, retry: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 200 } } });
        stuck.secret = created.secret!;
        // Same database, keys and queues; a short drain bound.
        const impatient = testConfig({
          DATABASE_URL: config.env.DATABASE_URL,
          QUEUE_PREFIX: config.env.QUEUE_PREFIX,
          ADMIN_API_KEY: config.adminApiKey,
          SECRETS_KEY: config.secretsKey.toString('base64'),
          SHUTDOWN_TIMEOUT_MS: '1000',
          LOG_LEVEL: 'info',
        });
        worker = new WorkerProcess(impatient);
        worker.start();
        expect((await post(`${gateway.url}/webhooks/complycube`, webhook())).status).toBe(200);
        await waitFor(() => stuck.arrived === 1, 60_000, `the delivery did not start:\n${worker.output}`);

        const exited = await worker.terminate('SIGTERM');
        expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
        expect(exited.ms).toBeGreaterThanOrEqual(900);
        expect(exited.ms).toBeLessThan(1_000 + 5_000);
        expect(worker.output).toContain('jobs still active after 1000 ms are left to be retried');

        // Nothing lost: the cut attempt is made again by the next worker.
        stuck.delayMs = 0;
        worker = new WorkerProcess(config);
        worker.start();
        const deliveries = gateway.app.get(DataSource).getRepository(DeliveryEntity);
        await waitFor(async () => (await deliveries.findOneBy({ subscriberId: created.subscriber.id }))?.status === 'succeeded', 60_000, `not delivered after the restart:\n${worker.output}`);
        expect(stuck.received.some((delivery) => delivery.status === 200 && delivery.signatureValid)).toBe(true);
        if (process.env.TEST_FIGURES) process.stdout.write(`${kind}: impatient worker exit ${exited.code} after ${exited.ms} ms; delivered by the next worker (${stuck.arrived} requests seen)\n`);
      } finally {
        await worker.kill();
        await stuck.stop();
      }
      // The next worker may find the cut attempt only through the reconciler (30 s grace).
    }, 120_000);
  });
});
