import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { Client } from 'pg';
import { consumeVerificationEvents } from '@kyc/consumer';
import { PROVIDERS } from '@kyc/providers';
import { announceConnectionChange, createRedisClient, ReplicaWait, subscribeToConnectionChanges } from '@kyc/queue';
import { answers200, aSeedVendorSet, createTestDatabase, freePort, sourceRevision, TestDatabase } from '@kyc/testing';
import { FlakyReceiver } from './flaky-receiver';
import { LoadGenerator, Vendor } from './load-generator';
import { AppProcess, GATEWAY_MAIN, productionAppEnvironment, sleep, waitFor, WORKER_MAIN } from './processes';
import { RedisCluster } from './redis-cluster';
import { writeReport } from './report';

/**
 * The compiled gateway and worker on a Redis Cluster of this suite (3 masters, 3 replicas,
 * append-only): webhooks of every vendor, a queue subscriber read by `consumeVerificationEvents`
 * on an ioredis Cluster and an HTTP subscriber; mid-traffic the master serving the queues' slot is
 * SIGKILLed (its replica takes over), then started again (it rejoins as a replica). Then every
 * acknowledged webhook has reached both subscribers.
 */

const WEBHOOKS = Number(process.env.CLUSTER_WEBHOOKS ?? 1_200);
const RATE = Number(process.env.CLUSTER_RATE ?? 40);
const TRAFFIC_MS = (WEBHOOKS / RATE) * 1000;
const QUIESCENCE_TIMEOUT_MS = 120_000;
const RESULTS = process.env.CLUSTER_RESULTS ?? join(__dirname, 'results/redis-cluster.json');

const RUN = randomBytes(3).toString('hex');
const WORK = mkdtempSync(join(tmpdir(), `kyc-cluster-${RUN}-`));
const LOG_DIR = join(WORK, 'logs');
/** Every subscriber gets every webhook event, stale ones included, so "every acknowledged event" is exact. */
const EVERYTHING = { types: ['*'], includeStale: true };

const seeds = aSeedVendorSet();
const vendors: Vendor[] = PROVIDERS.map((adapter) => ({ adapter, credentials: seeds.credentials(adapter.name) }));

describe('Redis Cluster: gateway and worker on 3 masters, one killed under load', () => {
  const started = Date.now();
  let cluster: RedisCluster | undefined;
  let database: TestDatabase | undefined;
  let env: Record<string, string>;
  let gateway: AppProcess | undefined;
  let worker: AppProcess | undefined;
  let gatewayUrl: string;
  let workerMetricsUrl: string;
  let adminKey: string;
  let receiver: FlakyReceiver | undefined;
  let consumerConnection: Cluster | undefined;
  let consumer: Worker<unknown, void, string> | undefined;
  const queued = new Map<string, number>();
  let passed = 0;

  beforeAll(async () => {
    for (const main of [GATEWAY_MAIN, WORKER_MAIN]) {
      if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm run test:faults does)`);
    }
    cluster = await RedisCluster.start();
    database = await createTestDatabase('postgres');
    adminKey = randomBytes(24).toString('base64url');
    env = {
      ...productionAppEnvironment(WORK, `{cluster-${RUN}}`, adminKey),
      DATABASE_URL: database.url,
      REDIS_CLUSTER_NODES: cluster.nodeList,
      ...seeds.environment,
    };
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    gateway = new AppProcess('gateway', GATEWAY_MAIN, { ...env, PORT: String(port) }, LOG_DIR);
    const metricsPort = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    worker = new AppProcess('worker', WORKER_MAIN, { ...env, METRICS_PORT: String(metricsPort) }, LOG_DIR);
    gateway.start();
    await waitUntil(gateway, () => answers200(`${gatewayUrl}/health/ready`));
    worker.start();
    await waitUntil(worker, () => answers200(workerMetricsUrl, { authorization: `Bearer ${adminKey}` }));

    const queueName = `cluster-${RUN}`;
    await admin('POST', '/admin/subscribers', { name: 'cluster-queue', kind: 'queue', queue: queueName, filter: EVERYTHING });
    receiver = await new FlakyReceiver(0.1).start();
    const http = await admin('POST', '/admin/subscribers', {
      name: 'cluster-http',
      kind: 'http',
      url: receiver.url,
      filter: EVERYTHING,
      retry: { maxAttempts: 50, backoff: { type: 'fixed', delayMs: 200 } },
    });
    receiver.secret = http.secret as string;

    // The downstream service, configured as docs/delivery.md tells it to be on a cluster.
    consumerConnection = new Cluster(
      cluster.nodeList.split(',').map((node) => ({ host: node.split(':')[0], port: Number(node.split(':')[1]) })),
      { redisOptions: { maxRetriesPerRequest: null } },
    );
    consumer = consumeVerificationEvents({
      queue: queueName,
      connection: consumerConnection,
      prefix: env.QUEUE_PREFIX,
      concurrency: 50,
      handler: (event) => void queued.set(event.id, (queued.get(event.id) ?? 0) + 1),
    });
    consumer.on('error', () => undefined);
  }, 120_000);

  afterAll(async () => {
    for (const app of [gateway, worker]) {
      await app?.stop('SIGKILL').catch(() => undefined);
      app?.close();
    }
    await consumer?.close(true).catch(() => undefined);
    consumerConnection?.disconnect();
    await receiver?.stop().catch(() => undefined);
    await cluster?.stop();
    await database?.drop().catch(() => undefined);
    if (passed === 4) rmSync(WORK, { recursive: true, force: true });
    else console.log(`redis cluster suite: process logs kept in ${LOG_DIR}`);
  }, 60_000);

  it('refuses to boot with a QUEUE_PREFIX without a hash tag, naming the variable', () => {
    for (const main of [GATEWAY_MAIN, WORKER_MAIN]) {
      const boot = spawnSync(process.execPath, [main], { env: { ...env, QUEUE_PREFIX: 'kyc', PORT: '0' }, encoding: 'utf8', timeout: 30_000 });
      expect(boot.status).toBe(1);
      expect(boot.stderr).toContain('QUEUE_PREFIX must contain a hash tag such as {kyc} when REDIS_CLUSTER_NODES is set');
    }
    passed++;
  });

  it('delivers every acknowledged webhook to both subscribers across a master failover', async () => {
    const load = new LoadGenerator(vendors, [{ name: 'gateway', url: gatewayUrl }], {
      total: WEBHOOKS,
      ratePerSecond: RATE,
      concurrency: 32,
      maxTries: 8,
      retryDelayMs: 400,
      redeliveryShare: 0.02,
      timeoutMs: 10_000,
    });
    const t0 = Date.now();
    const t = () => Number(((Date.now() - t0) / 1000).toFixed(1));
    const traffic = load.run();

    // The master that matters: the one serving the slot of the hash tag, so every queue's keys.
    await sleep(TRAFFIC_MS * 0.4);
    const victim = await cluster!.masterOf(env.QUEUE_PREFIX);
    const killedAt = t();
    await cluster!.kill(victim);
    await waitFor(
      () =>
        cluster!.masterOf(env.QUEUE_PREFIX).then(
          (master) => master.port !== victim.port,
          () => false,
        ),
      30_000,
      'no replica took over',
      100,
    );
    const promotedAt = t();
    await sleep(3_000);
    await cluster!.restart(victim);
    await cluster!.waitHealthy(30_000);
    const rejoinedAt = t();
    await traffic;
    const trafficSeconds = t();

    const acked = new Set(load.webhooks.flatMap((webhook) => (webhook.eventId ? [webhook.eventId] : [])));
    const missing = () => ({
      queue: [...acked].filter((id) => !queued.has(id)),
      http: [...acked].filter((id) => !receiver!.delivered.has(id)),
    });
    await waitFor(
      () => {
        const { queue, http } = missing();
        return queue.length === 0 && http.length === 0;
      },
      QUIESCENCE_TIMEOUT_MS,
      'not every acknowledged webhook reached both subscribers',
      500,
    ).catch(() => undefined);
    const lost = missing();
    const attempts = load.webhooks.flatMap((webhook) => webhook.attempts);
    const statuses: Record<string, number> = {};
    for (const attempt of attempts) {
      const outcome = String(attempt.status ?? attempt.error ?? '?');
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
    }
    const latencies = attempts
      .filter((attempt) => attempt.status === 200)
      .map((attempt) => attempt.ms)
      .sort((a, b) => a - b);
    await load.close();

    const report = {
      passed: false,
      commit: sourceRevision(),
      startedAt: new Date(started).toISOString(),
      durationSeconds: 0,
      cluster: '3 masters + 3 replicas, append-only, cluster-node-timeout 2000 ms',
      webhooks: { sent: load.webhooks.length, vendors: vendors.length, acknowledged: acked.size, requests: attempts.length, statuses },
      latencyMs: { p50: Math.round(latencies[Math.floor(latencies.length * 0.5)] ?? 0), p99: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0) },
      failover: { masterKilledAt: killedAt, replicaPromotedAt: promotedAt, killedMasterRejoinedAt: rejoinedAt, trafficEndedAt: trafficSeconds },
      delivery: {
        queueReceived: queued.size,
        httpReceived: receiver!.delivered.size,
        lostQueue: lost.queue.length,
        lostHttp: lost.http.length,
        quiescenceSeconds: Number((t() - trafficSeconds).toFixed(1)),
        invalidSignatures: receiver!.invalidSignatures + receiver!.mismatchedIds,
      },
      /** PostgreSQL bytes (tables and indexes) per stored event, for docs/production.md's sizing. */
      databaseBytesPerEvent: await databaseBytesPerEvent(database!.url),
      /** Resident memory at the end of the run (Linux), for docs/production.md's sizing. */
      rssMb: { gateway: residentMb(gateway!.pid), worker: residentMb(worker!.pid) },
      crashes: [gateway!, worker!].flatMap((app) => app.crashes.map((crash) => `${app.name}: ${JSON.stringify(crash.status)}\n${crash.tail}`)),
    };
    report.passed = lost.queue.length + lost.http.length === 0 && acked.size === WEBHOOKS && report.crashes.length === 0 && !statuses['500'];
    report.durationSeconds = Math.round((Date.now() - started) / 1000);
    console.log(JSON.stringify(report, null, 2));
    writeReport(RESULTS, report);

    expect(report.crashes).toEqual([]);
    expect(acked.size).toBe(WEBHOOKS);
    expect(statuses['500']).toBeUndefined();
    expect(report.delivery.invalidSignatures).toBe(0);
    expect({ lostQueue: lost.queue.slice(0, 5), lostHttp: lost.http.slice(0, 5) }).toEqual({ lostQueue: [], lostHttp: [] });
    passed++;
  }, 300_000);

  it('carries connection changes over the cluster, and the feed subscribes again when its node dies', async () => {
    const location = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES, QUEUE_PREFIX: env.QUEUE_PREFIX };
    let changes = 0;
    const feed = subscribeToConnectionChanges(location, () => changes++);
    try {
      await waitFor(() => feed.live && changes === 1, 10_000, 'the change feed did not subscribe');
      expect(await announceConnectionChange(location, { connectionId: 'c-1', change: 'created' })).toBe(true);
      await waitFor(() => changes === 2, 5_000, 'a published change did not arrive');

      // The feed's first node (a subscription starts on the first one listed) dies: the feed
      // subscribes again on the next node, and that counts as a change (messages may have been missed).
      const first = cluster!.nodes[0];
      await cluster!.kill(first);
      await waitFor(() => feed.live && changes === 3, 15_000, 'the change feed did not subscribe again on another node');
      await cluster!.waitHealthy(30_000);
      expect(await announceConnectionChange(location, { connectionId: 'c-1', change: 'rotated' })).toBe(true);
      await waitFor(() => changes === 4, 5_000, 'a change published after the node died did not arrive');
      await cluster!.restart(first);
      await cluster!.waitHealthy(30_000);
    } finally {
      feed.close();
    }
    passed++;
  }, 120_000);

  it("confirms that a replica of the slot's master has the writes (WAIT answered by a replica, not timed out)", async () => {
    const client = createRedisClient({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES }, 'worker') as Cluster;
    try {
      // The node the previous test restarted may still be rejoining as a replica: wait until the
      // client's view shows the slot's master with one, or settle() has nothing to wait for.
      const slot = await client.cluster('KEYSLOT', env.QUEUE_PREFIX);
      const slotHasReplica = async () => {
        await new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()));
        return (client.slots[slot]?.length ?? 0) > 1;
      };
      await waitFor(slotHasReplica, 30_000, "the slot's master has no replica in the cluster's view");
      await client.set(`${env.QUEUE_PREFIX}:probe`, 'written');
      expect(await new ReplicaWait(client, env.QUEUE_PREFIX).settle()).toBe(true);
    } finally {
      client.disconnect();
    }
    passed++;
  });

  async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  }

  async function waitUntil(app: AppProcess, ready: () => Promise<boolean>): Promise<void> {
    await waitFor(
      () => (app.running ? ready() : Promise.reject(new Error(`${app.name} exited`))),
      60_000,
      `${app.name} did not start`,
      200,
      () => app.tail(),
    );
  }
});

function residentMb(pid: number | undefined): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

async function databaseBytesPerEvent(url: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; bytes: string; events: string }>(
      `SELECT name, pg_total_relation_size(name::regclass) AS bytes, (SELECT COUNT(*) FROM events) AS events
         FROM unnest(ARRAY['events', 'deliveries', 'delivery_attempts', 'verifications']) AS name`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, Math.round(Number(row.bytes) / Number(row.events))]));
  } finally {
    await client.end();
  }
}
