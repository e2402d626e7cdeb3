import { randomBytes } from 'node:crypto';
import { connect, Socket } from 'node:net';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '@kyc/config';
import { hmacSha256 } from '@kyc/core';
import { ConnectionStore, GuardedClient, InboundRefusalEntity, InboundRefusalStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { announceConnectionChange } from '@kyc/queue';
import { createTestDatabase, inboundWebhook, recognizes, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { ConnectionCache, RefusalRecorder } from '@kyc/gateway';
import { RefusalRetention } from '@kyc/worker';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * What an abusive or broken sender can make the gateway spend (issue 10): parsing before
 * authentication, a database write and a log line per refusal, connection reloads, buffered bytes,
 * and a hung database. Requests name their source with X-Forwarded-For (the test client is a
 * trusted loopback proxy), so each test has sources of its own.
 */
const complycube = findProvider('complycube')!;
const verifik = findProvider('verifik')!;
const SECRET = 'cc-abuse-secret';
const VERIFIK_SECRET = 'verifik-abuse-secret';
const LIMIT = 30;
const MAX_BODY_BYTES = 8_192;

const validWebhook = () => complycube.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: complycube.parseOptions({}) });
const signed = (body: string, secret: string) => ({ 'content-type': 'application/json', 'complycube-signature': hmacSha256(secret, body).toString('hex') });
const from = (source: string, request: { headers: Record<string, string>; body: string }) => ({ ...request, headers: { ...request.headers, 'x-forwarded-for': source } });
/** A body nested far deeper than the ingress accepts, within MAX_BODY_BYTES. */
const deepBody = () => `${'['.repeat(3_000)}${']'.repeat(3_000)}`;

/** Calls of JSON.parse on exactly `text` while `run` runs. */
async function parsesOf(text: string, run: () => Promise<void>): Promise<number> {
  const spy = jest.spyOn(JSON, 'parse');
  try {
    await run();
    return spy.mock.calls.filter(([parsed]) => parsed === text).length;
  } finally {
    spy.mockRestore();
  }
}

/** Not within `marginMs` of a minute's end: per-minute counts must not start again mid-test. */
async function awayFromMinuteEnd(marginMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe('ingress under abuse (SQLite)', () => {
  const lines: Array<{ msg?: string; level?: number }> = [];
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    config = testConfig({
      DATABASE_URL: database.url,
      COMPLYCUBE_WEBHOOK_SECRET: SECRET,
      VERIFIK_WEBHOOK_SECRET: VERIFIK_SECRET,
      INGRESS_REFUSALS_PER_MINUTE: String(LIMIT),
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      INGRESS_MAX_BUFFERED_BYTES: String(2 * MAX_BODY_BYTES),
      CONNECTION_CACHE_TTL_MS: '600000',
      // Each test speaks for its own source through X-Forwarded-For, believed from the loopback proxy only.
      TRUST_PROXY: 'loopback',
    });
    gateway = await startTestApp(config, {
      logDestination: {
        write: (line: string) => {
          try {
            lines.push(JSON.parse(line) as { msg?: string });
          } catch {
            // not a JSON line: not one the tests look at
          }
        },
      },
    });
    dataSource = gateway.app.get(DataSource);
    await waitFor(() => gateway.app.get(ConnectionCache).changeFeedLive, 5_000, 'connection change feed not subscribed');
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
  });

  const webhooks = () => `${gateway.url}/webhooks`;
  const refusalRows = async (sourceIp: string) => dataSource.getRepository(InboundRefusalEntity).find({ where: { sourceIp } });

  describe('authentication before parsing', () => {
    it.each([
      ['too deep', deepBody()],
      ['not JSON', `{"id":"${'x'.repeat(6_000)}`],
    ])('answers 401, not 400, to a ComplyCube body %s under a wrong signature, and never parses it', async (_, body) => {
      let answer: { status: number } | undefined;
      const parses = await parsesOf(body, async () => {
        answer = await post(`${webhooks()}/complycube`, from('198.51.100.1', { headers: signed(body, 'not-the-secret'), body }));
      });
      expect(answer?.status).toBe(401);
      expect(parses).toBe(0);
    });

    it('answers 401 to a deep Verifik body with a wrong signature on the single URL, never parsing it', async () => {
      const body = deepBody();
      let answer: { status: number } | undefined;
      const headers = { 'content-type': 'application/json', 'x-verifik-signature': `sha256=${'0'.repeat(64)}` };
      expect(recognizes(verifik, inboundWebhook(body, headers))).toBe(true);
      const parses = await parsesOf(body, async () => {
        answer = await post(webhooks(), from('198.51.100.1', { headers, body }));
      });
      expect(answer?.status).toBe(401);
      expect(parses).toBe(0);
    });

    it('still answers 400 to a correctly signed body that is too deep, parsing it once', async () => {
      const body = deepBody();
      let answer: { status: number } | undefined;
      const parses = await parsesOf(body, async () => {
        answer = await post(`${webhooks()}/complycube`, from('198.51.100.1', { headers: signed(body, SECRET), body }));
      });
      expect(answer?.status).toBe(400);
      expect(parses).toBe(1);
    });
  });

  describe('refusal records and logs', () => {
    it('records a burst of identical refusals as a few aggregated rows, listed by the admin API with their count', async () => {
      await awayFromMinuteEnd(10_000);
      const source = '198.51.100.2';
      const store = gateway.app.get(InboundRefusalStore);
      const writes = jest.spyOn(store, 'recordMany');
      for (let i = 0; i < 25; i++) expect((await post(`${webhooks()}/complycube/nope-burst`, from(source, validWebhook()))).status).toBe(404);
      await gateway.app.get(RefusalRecorder).flush();
      writes.mockRestore();

      const rows = await refusalRows(source);
      expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(25);
      // Written once a second: 25 quick requests span a few writes at most, never 25 rows.
      expect(rows.length).toBeLessThanOrEqual(3);
      expect(writes.mock.calls.length).toBeLessThanOrEqual(4);
      expect(rows[0]).toMatchObject({ provider: 'complycube', connection: 'nope-burst', statusCode: 404, reason: 'unknown_connection', sizeBytes: expect.any(Number) });

      const response = await fetch(`${gateway.url}/admin/inbound?reason=unknown_connection`, { headers: { authorization: `Bearer ${config.adminApiKey}` } });
      const listed = ((await response.json()) as { data: Array<{ sourceIp: string; count: number }> }).data.filter((refusal) => refusal.sourceIp === source);
      expect(listed.reduce((sum, refusal) => sum + refusal.count, 0)).toBe(25);
    });

    it(`answers 429 to a source refused more than ${LIMIT} times this minute, without parsing its body, and logs it in a few lines`, async () => {
      await awayFromMinuteEnd(15_000);
      const source = '198.51.100.3';
      const wrong = () => {
        const body = JSON.stringify({ id: `evt_${randomBytes(6).toString('hex')}`, type: 'check.pending' });
        return from(source, { headers: signed(body, 'not-the-secret'), body });
      };
      for (let i = 0; i < LIMIT; i++) expect((await post(`${webhooks()}/complycube`, wrong())).status).toBe(401);
      expect((await post(`${webhooks()}/complycube`, wrong())).status).toBe(401);

      // Over the limit: refused before its body is read, even a valid webhook, on every route.
      const valid = validWebhook();
      let throttled: Response | undefined;
      const parses = await parsesOf(valid.body, async () => {
        throttled = await fetch(`${webhooks()}/complycube`, { method: 'POST', ...from(source, valid) });
      });
      expect(throttled!.status).toBe(429);
      expect(await throttled!.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.any(String) });
      expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(throttled!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(parses).toBe(0);
      for (let i = 0; i < 20; i++) expect((await post(webhooks(), wrong())).status).toBe(429);

      // Other sources are not affected.
      expect((await post(`${webhooks()}/complycube`, from('198.51.100.4', validWebhook()))).status).toBe(200);

      // One WARN line per refusal for the first few only, one when the source crosses the limit.
      const aboutSource = lines.filter((line) => line.msg?.includes(source));
      expect(aboutSource.length).toBeGreaterThanOrEqual(2);
      expect(aboutSource.length).toBeLessThanOrEqual(12);
      expect(aboutSource.some((line) => line.msg?.includes('answering 429'))).toBe(true);

      await gateway.app.get(RefusalRecorder).flush();
      const rows = await refusalRows(source);
      expect(rows.filter((row) => row.reason === 'rate_limited').reduce((sum, row) => sum + row.count, 0)).toBe(21);
      expect(rows.find((row) => row.reason === 'rate_limited')).toMatchObject({ statusCode: 429 });
    });

    it('never counts accepted webhooks toward the limit', async () => {
      await awayFromMinuteEnd(15_000);
      const source = '198.51.100.5';
      for (let i = 0; i < LIMIT + 10; i++) expect((await post(`${webhooks()}/complycube`, from(source, validWebhook()))).status).toBe(200);
    });
  });

  describe('buffered bytes', () => {
    /** A request that declares `length` bytes and sends only its start, held open. */
    function slowRequest(length: number): Promise<Socket> {
      return new Promise((resolve, reject) => {
        const { port } = new URL(gateway.url);
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /webhooks/complycube HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nComplycube-Signature: ${'0'.repeat(64)}\r\n\r\n{"id":`);
          resolve(socket);
        });
        socket.on('error', reject);
      });
    }

    it('answers 503 at once while INGRESS_MAX_BUFFERED_BYTES are held by bodies being read, and serves again once they are gone', async () => {
      const slow = [await slowRequest(MAX_BODY_BYTES), await slowRequest(MAX_BODY_BYTES)];
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const refused = await post(`${webhooks()}/complycube`, from('198.51.100.6', validWebhook()));
      expect(refused).toMatchObject({ status: 503, body: { statusCode: 503, error: 'Service Unavailable' } });
      expect(Date.now() - started).toBeLessThan(1_000);

      slow.forEach((socket) => socket.destroy());
      await waitFor(async () => (await post(`${webhooks()}/complycube`, from('198.51.100.6', validWebhook()))).status === 200, 3_000, 'buffered bytes not released');
    });
  });

  describe('refusal retention', () => {
    it('deletes the refusal records older than REFUSAL_RETENTION_DAYS and keeps the others', async () => {
      const repository = dataSource.getRepository(InboundRefusalEntity);
      const row = (daysAgo: number): InboundRefusalEntity => {
        const receivedAt = new Date(Date.now() - daysAgo * 86_400_000);
        return repository.create({
          id: uuidv7({ msecs: receivedAt.getTime() }),
          provider: 'complycube',
          connection: 'default',
          statusCode: 401,
          reason: 'invalid_signature',
          detail: 'retention test',
          sourceIp: '198.51.100.9',
          sizeBytes: 10,
          receivedAt,
          count: 3,
        });
      };
      const old = row(31);
      const recent = row(29);
      await repository.insert([old, recent]);
      const retention = new RefusalRetention(config, gateway.app.get(InboundRefusalStore));
      expect(await retention.purgeOnce()).toBeGreaterThanOrEqual(1);
      expect(await repository.findOneBy({ id: old.id })).toBeNull();
      expect(await repository.findOneBy({ id: recent.id })).not.toBeNull();
    });
  });

  describe('connection reloads', () => {
    const unknownNames = (count: number) => Array.from({ length: count }, (_, i) => `junk-${randomBytes(3).toString('hex')}-${i}`);

    it('costs no database load while the change feed is up: neither unknown names nor unverifiable bodies reload the connections', async () => {
      const loads = jest.spyOn(gateway.app.get(ConnectionStore), 'listOpened');
      try {
        for (const name of unknownNames(15)) expect((await post(`${webhooks()}/complycube/${name}`, from('198.51.100.7', validWebhook()))).status).toBe(404);
        for (let i = 0; i < 10; i++) {
          const body = JSON.stringify({ id: `evt_${i}`, type: 'check.pending' });
          expect((await post(webhooks(), from('198.51.100.7', { headers: signed(body, 'unknown-secret'), body }))).status).toBe(401);
        }
        expect(loads).not.toHaveBeenCalled();
      } finally {
        loads.mockRestore();
      }
    });

    it("takes a connection written outside the admin API (the simulator's demo connection) once it is announced on the feed", async () => {
      const secrets = { webhookSecret: `demo-${randomBytes(4).toString('hex')}` };
      const created = await gateway.app.get(ConnectionStore).createIfMissing('complycube', 'demo', secrets, {});
      expect(created).toBe('created');
      const stored = (await gateway.app.get(ConnectionStore).listOpened()).find((c) => c.provider === 'complycube' && c.name === 'demo')!;
      expect(await announceConnectionChange(config.env, { connectionId: stored.id, change: 'created' })).toBe(true);
      const request = complycube.simulator.build('check.pending', { secrets, options: complycube.parseOptions({}) });
      await waitFor(async () => (await post(`${webhooks()}/complycube/demo`, from('198.51.100.9', request))).status === 200, 5_000);
    });

    // Last: it stops the cache's change feed.
    it('while the change feed is down, reloads on demand at most once a second and still finds a connection added meanwhile', async () => {
      const cache = gateway.app.get(ConnectionCache);
      cache.onApplicationShutdown();
      expect(cache.changeFeedLive).toBe(false);
      const secrets = { webhookSecret: `late-${randomBytes(4).toString('hex')}` };
      // Straight into the store: no change message, as when it comes from a gateway that cannot reach Redis.
      await gateway.app.get(ConnectionStore).createIfMissing('complycube', 'late', secrets, {});
      const request = complycube.simulator.build('check.pending', { secrets, options: complycube.parseOptions({}) });
      expect((await post(`${webhooks()}/complycube/late`, request)).status).toBe(200);

      const loads = jest.spyOn(gateway.app.get(ConnectionStore), 'listOpened');
      try {
        const started = Date.now();
        await Promise.all(unknownNames(20).map((name) => post(`${webhooks()}/complycube/${name}`, from('198.51.100.8', validWebhook()))));
        for (const name of unknownNames(5)) await post(`${webhooks()}/complycube/${name}`, from('198.51.100.8', validWebhook()));
        const seconds = (Date.now() - started) / 1_000;
        expect(loads.mock.calls.length).toBeGreaterThanOrEqual(1);
        expect(loads.mock.calls.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
      } finally {
        loads.mockRestore();
      }
    });
  });
});

describe('ingress on a hung PostgreSQL', () => {
  const STATEMENT_TIMEOUT_MS = 1_000;
  let database: TestDatabase;
  let gateway: TestApp;
  let locker: Client | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const config = testConfig({
      DATABASE_URL: database.url,
      COMPLYCUBE_WEBHOOK_SECRET: SECRET,
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      DATABASE_MAX_PENDING_WRITES: '2',
    });
    gateway = await startTestApp(config);
  });

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await gateway?.close();
    await database?.drop();
  });

  /** POST a valid webhook; its status and how long the answer took (never more than 10 s). */
  async function timedWebhook(): Promise<{ status: number; ms: number }> {
    const started = Date.now();
    const request = validWebhook();
    const response = await fetch(`${gateway.url}/webhooks/complycube`, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return { status: response.status, ms: Date.now() - started };
  }

  it('answers 503 within the statement timeout while a lock holds the events table, 503 at once past DATABASE_MAX_PENDING_WRITES, and 200 once it is released', async () => {
    expect((await timedWebhook()).status).toBe(200);
    locker = new Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');

    // Two writes in flight (PostgreSQL's two slots), two waiting: the bound.
    const held: Array<Promise<{ status: number; ms: number }>> = [];
    for (let i = 0; i < 4; i++) {
      held.push(timedWebhook());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const beyond = await timedWebhook();
    expect(beyond.status).toBe(503);
    expect(beyond.ms).toBeLessThan(STATEMENT_TIMEOUT_MS);

    const answers = await Promise.all(held);
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503, 503]);
    // In flight: cancelled by the statement timeout; waiting: written next, cancelled in turn.
    for (const answer of answers) expect(answer.ms).toBeLessThan(2 * STATEMENT_TIMEOUT_MS + 2_000);

    await locker.query('COMMIT');
    expect((await timedWebhook()).status).toBe(200);
  });

  it('gives up a connection whose query outlived query_timeout (a server that never answers), so no later query waits on it', async () => {
    const client = new GuardedClient({ connectionString: database.url, query_timeout: 300 });
    await client.connect();
    const ended = new Promise<boolean>((resolve) => {
      client.once('end', () => resolve(true));
      setTimeout(() => resolve(false), 2_000).unref();
    });
    await expect(client.query('SELECT pg_sleep(5)')).rejects.toThrow('Query read timeout');
    expect(await ended).toBe(true);
    await client.end().catch(() => undefined);
  });
});
