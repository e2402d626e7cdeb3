/**
 * The measurements, each against the running stack and each leaving it as it found it (no
 * subscribers, events queue running, its queues obliterated), so one failing does not skew the next.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Queue, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { findProvider, type ProviderAdapter } from '@kyc/providers';
import { DELIVERIES_QUEUE, EVENTS_QUEUE, redisOptions, SUBSCRIBER_JOB_OPTIONS } from '@kyc/queue';
import { SubscriberCache } from '@kyc/worker';
import { fire, firePaced, percentile, RequestPool, type LoadFigures, type LoadOptions } from './load';
import { REDIS_URL, sleep, startBaseline, waitFor, whyDown, type Cleanup, type DatabaseReader, type Stack } from './stack';

export interface Volumes {
  /** Seconds of each ingest run (and of the baseline). */
  duration: number;
  ingestConnections: number;
  /** Unique requests built per second of an ingest run. */
  bodiesPerSecond: number;
  fanOutEvents: number;
  fanOutQueueSubscribers: number[];
  /** Raw addBulk adds fanOutEvents × this many jobs (the largest fan-out). */
  addBulkJobsPerEvent: number;
  e2eRate: number;
  e2eSeconds: number;
  e2eConnections: number;
  backlogEvents: number;
}

export interface Bench {
  stack: Stack;
  db: DatabaseReader;
  queuePrefix: string;
  volumes: Volumes;
  /** Shared by the orchestrator's Queue objects (job counts, pause, obliterate). */
  redis: IORedis;
  receiver: HttpReceiver;
  logDir: string;
  cleanup: Cleanup;
}

/** The worker reloads its subscriber cache every RELOAD_MS; three reloads and it has surely seen a change. */
const SUBSCRIBER_CACHE_SETTLE_MS = 3 * SubscriberCache.RELOAD_MS;
/** Waits fail when their count has not moved for this long (something is stuck, not slow). */
const STALL_MS = 60_000;
/** Caps of volume-bound waits assume at least this many items per second (far below any real run). */
const SLOWEST_RATE = 50;
const POLL_MS = 50;
/** Requests that are still unanswered this long after the run are late, not slow: the wait fails. */
const E2E_ARRIVAL_TIMEOUT_MS = 30_000;
/** Seconds of unmeasured load before the end-to-end measurement. */
const E2E_WARM_UP_SECONDS = 3;

/** A cap for waiting on `items` things, scaled by volume. */
const capFor = (items: number): number => 30_000 + (items / SLOWEST_RATE) * 1_000;

const complycube = (): ProviderAdapter => findProvider('complycube')!;

// ---------------------------------------------------------------------------------- ingest

/** The yardstick: a bare node:http server checking the ComplyCube HMAC, same load, same machine. */
export async function measureBaseline(bench: Bench): Promise<LoadFigures> {
  const adapter = complycube();
  const secret = randomBytes(24).toString('base64url');
  const server = await startBaseline(secret, bench.logDir, bench.cleanup);
  try {
    const pool = RequestPool.build(adapter, { secrets: { webhookSecret: secret }, options: adapter.parseOptions({}) }, bodiesFor(bench.volumes));
    return acknowledged(await fire({ url: `${server.url}/`, pool, connections: bench.volumes.ingestConnections, duration: bench.volumes.duration, capMs: durationCap(bench.volumes) }));
  } finally {
    await server.child.stop();
  }
}

export async function measureIngest(bench: Bench, provider: string): Promise<LoadFigures> {
  const adapter = findProvider(provider)!;
  const pool = RequestPool.build(adapter, bench.stack.credentials.get(provider)!, bodiesFor(bench.volumes));
  await settle(bench);
  return fireAtGateway(bench, { url: webhookUrl(bench, provider), pool, connections: bench.volumes.ingestConnections, duration: bench.volumes.duration, capMs: durationCap(bench.volumes) });
}

/** A load run on the gateway, which must have survived it and acknowledged something. */
async function fireAtGateway(bench: Bench, options: LoadOptions): Promise<LoadFigures> {
  const figures = await fire(options);
  assertStackRunning(bench);
  return acknowledged(figures);
}

function acknowledged(figures: LoadFigures): LoadFigures {
  if (figures.ok === 0) throw new Error(`no request answered 2xx (${figures.errors} errors, ${figures.non2xx} non-2xx)`);
  return figures;
}

const bodiesFor = (volumes: Volumes): number => volumes.bodiesPerSecond * volumes.duration;
const durationCap = (volumes: Volumes): number => (volumes.duration + 30) * 1_000;
const webhookUrl = (bench: Bench, provider: string): string => `${bench.stack.gatewayUrl}/webhooks/${provider}/default`;

/** `count` ComplyCube webhooks at 64 connections, as fast as the gateway takes them. */
async function ingestAmount(bench: Bench, count: number): Promise<LoadFigures> {
  const adapter = complycube();
  const pool = RequestPool.build(adapter, bench.stack.credentials.get(adapter.name)!, count);
  return fireAtGateway(bench, { url: webhookUrl(bench, adapter.name), pool, connections: Math.min(bench.volumes.ingestConnections, count), amount: count, capMs: capFor(count) });
}

// ---------------------------------------------------------------------------------- fan-out

export interface FanOutFigures {
  kind: 'queue' | 'http';
  subscribers: number;
  /** Events acknowledged (2xx) while the events queue was paused, each fanned out to every subscriber. */
  events: number;
  non2xx: number;
  seconds: number;
  deliveriesPerSecond: number;
  eventsPerSecond: number;
}

/**
 * Events stored while the events queue is paused, then released at once: the time until every
 * subscriber has every event is the worker's fan-out rate, without the ingest mixed in.
 */
export async function measureFanOut(bench: Bench, kind: 'queue' | 'http', count: number): Promise<FanOutFigures> {
  const subscribers = kind === 'queue' ? await createQueueSubscribers(bench, count, (i) => `bench-q-${i}`) : [await createHttpSubscriber(bench)];
  try {
    await sleep(SUBSCRIBER_CACHE_SETTLE_MS);
    await settle(bench);
    const load = await ingestWhilePaused(bench, bench.volumes.fanOutEvents);
    const events = load.ok;
    bench.receiver.reset();
    const started = performance.now();
    await queue(bench, EVENTS_QUEUE).resume();
    const delivered = kind === 'queue' ? () => fewestJobs(bench, subscribers) : () => Promise.resolve(bench.receiver.received);
    await track(bench, `fan-out to ${count} ${kind} subscriber(s)`, delivered, (n) => n >= events, capFor(events * count));
    const seconds = (performance.now() - started) / 1000;
    return { kind, subscribers: count, events, non2xx: load.non2xx, seconds, deliveriesPerSecond: (events * count) / seconds, eventsPerSecond: events / seconds };
  } finally {
    await removeSubscribers(bench, subscribers);
  }
}

/** Ingest with the events queue paused; checks every acknowledged event is stored and waiting. */
async function ingestWhilePaused(bench: Bench, count: number): Promise<LoadFigures> {
  const events = queue(bench, EVENTS_QUEUE);
  await events.pause();
  try {
    const load = await ingestAmount(bench, count);
    const stored = await undispatchedEvents(bench);
    if (stored !== load.ok) throw new Error(`${load.ok} webhooks acknowledged but ${stored} events stored and not dispatched`);
    return load;
  } catch (error) {
    await events.resume();
    throw error;
  }
}

/** Jobs on the subscriber queue that has the fewest (job ids are event ids: one job per event). */
async function fewestJobs(bench: Bench, subscribers: BenchSubscriber[]): Promise<number> {
  const counts = await Promise.all(subscribers.map((subscriber) => jobsOn(queue(bench, subscriber.queue!))));
  return Math.min(...counts);
}

async function jobsOn(target: Queue): Promise<number> {
  const counts = await target.getJobCounts('waiting', 'paused', 'active', 'completed', 'delayed');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export interface AddBulkFigures {
  jobs: number;
  jobBytes: number;
  seconds: number;
  jobsPerSecond: number;
}

const ADD_BULK_CHUNK = 500;
const ADD_BULK_IN_FLIGHT = 4;

/** What Redis and BullMQ alone allow: the orchestrator adds the jobs itself, nothing else running. */
export async function measureRawAddBulk(bench: Bench, jobs: number): Promise<AddBulkFigures> {
  const scratch = new Queue('bench-scratch', { connection: redisOptions(REDIS_URL, 'producer'), prefix: bench.queuePrefix });
  try {
    const entries = Array.from({ length: jobs }, () => {
      const event = sampleEvent();
      return { name: event.type, data: event, opts: { ...SUBSCRIBER_JOB_OPTIONS, jobId: event.id } };
    });
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let start = next; start < jobs; start = next) {
        next += ADD_BULK_CHUNK;
        await scratch.addBulk(entries.slice(start, start + ADD_BULK_CHUNK));
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: ADD_BULK_IN_FLIGHT }, lane));
    const seconds = (performance.now() - started) / 1000;
    return { jobs, jobBytes: JSON.stringify(entries[0].data).length, seconds, jobsPerSecond: jobs / seconds };
  } finally {
    await scratch.obliterate({ force: true });
    await scratch.close();
  }
}

/** A VerificationEvent as the worker delivers one for a ComplyCube check (~600 bytes of JSON). */
function sampleEvent(): { id: string; type: string } & Record<string, unknown> {
  const hex = () => randomBytes(12).toString('hex');
  const now = new Date().toISOString();
  return {
    specVersion: '1',
    id: randomUUID(),
    provider: 'complycube',
    connection: 'default',
    type: 'check.completed',
    status: null,
    providerEventId: hex(),
    providerEventType: 'check.completed.clear',
    subject: { applicantId: hex(), checkId: hex() },
    occurredAt: now,
    receivedAt: now,
    details: { outcome: 'clear', checkType: 'extensive_screening_check', checkStatus: 'complete', resourceType: 'check', workflowId: hex(), workflowTemplateId: hex(), clientType: 'person' },
  };
}

// ---------------------------------------------------------------------------------- end to end

export interface EndToEndFigures {
  rate: number;
  seconds: number;
  sent: number;
  acknowledged: number;
  arrived: number;
  /** From each request's scheduled send time to its job being picked up on the subscriber's queue. */
  latencyMs: { p50: number; p99: number; max: number };
  /** From each request's scheduled send time to its acknowledgement. */
  ackLatencyMs: { p50: number; p99: number; max: number };
  /** How late the load generator wrote requests (its own share of the latencies). */
  sendLagMs: { p99: number; max: number };
  /** While the load ran. The gateway is its first process only (with --gateway-processes above 1, a primary that serves nothing). */
  cpu: CpuUse;
  non2xx: number;
}

/**
 * Webhooks at a fixed, evenly paced rate (firePaced); a BullMQ consumer on the subscriber's queue
 * takes, per job, the time since the request carrying that ComplyCube event id was due.
 */
export async function measureEndToEnd(bench: Bench): Promise<EndToEndFigures> {
  const { e2eRate: rate, e2eSeconds: seconds, e2eConnections: connections } = bench.volumes;
  const subscribers = await createQueueSubscribers(bench, 1, () => 'bench-e2e');
  const sentAt = new Map<string, number>();
  const latencies = new Map<string, number>();
  const consumer = new Worker(
    subscribers[0].queue!,
    (job: Job<{ providerEventId: string }>) => {
      const sent = sentAt.get(job.data.providerEventId);
      if (sent !== undefined && !latencies.has(job.data.providerEventId)) latencies.set(job.data.providerEventId, performance.now() - sent);
      return Promise.resolve();
    },
    { connection: redisOptions(REDIS_URL, 'worker'), prefix: bench.queuePrefix, concurrency: 50 },
  );
  try {
    await sleep(SUBSCRIBER_CACHE_SETTLE_MS);
    await settle(bench);
    const adapter = complycube();
    const credentials = bench.stack.credentials.get(adapter.name)!;
    const url = webhookUrl(bench, adapter.name);
    // Unmeasured, at the same rate: pools, JIT and caches warm, as in a gateway that has been up.
    const warmUp = RequestPool.build(adapter, credentials, rate * E2E_WARM_UP_SECONDS).requests;
    await firePaced({ url, requests: warmUp, rate, connections, onScheduled: () => undefined, capMs: capFor(warmUp.length) });
    await settle(bench);
    const amount = rate * seconds;
    const requests = RequestPool.build(adapter, credentials, amount).requests;
    const ids = requests.map((request) => (JSON.parse(request.body) as { id: string }).id);
    const cpu = cpuUse(bench);
    const load = await firePaced({ url, requests, rate, connections, onScheduled: (index, at) => sentAt.set(ids[index], at), capMs: capFor(amount) });
    const cpuDuringLoad = cpu.per(load.ok);
    assertStackRunning(bench);
    if (load.ok === 0) throw new Error(`no request answered 2xx (${load.errors} errors, ${load.non2xx} non-2xx)`);
    await waitFor(
      `end-to-end: ${load.ok} acknowledged events on the subscriber queue`,
      () => latencies.size >= load.ok,
      E2E_ARRIVAL_TIMEOUT_MS,
      POLL_MS,
      () => assertStackRunning(bench),
    );
    const sorted = [...latencies.values()].sort((a, b) => a - b);
    return {
      rate,
      seconds,
      sent: load.sent,
      acknowledged: load.ok,
      arrived: latencies.size,
      latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 },
      ackLatencyMs: load.latencyMs,
      cpu: cpuDuringLoad,
      sendLagMs: load.sendLagMs,
      non2xx: load.non2xx,
    };
  } finally {
    await consumer.close();
    await removeSubscribers(bench, subscribers);
  }
}

// ---------------------------------------------------------------------------------- backlog

export interface BacklogFigures {
  events: number;
  non2xx: number;
  seconds: number;
  eventsPerSecond: number;
  workerRssBeforeMb: number;
  workerRssPeakMb: number;
}

/**
 * A disabled subscriber piles up pending deliveries; enabling it releases them all at once. The
 * worker's RSS is sampled through the whole phase: the drain must not load the backlog in memory.
 */
export async function measureBacklog(bench: Bench): Promise<BacklogFigures> {
  const workerRssBeforeMb = rssMb(bench.stack.worker.pid);
  const rss = sampleRss(bench.stack.worker.pid);
  const subscribers = await createQueueSubscribers(bench, 1, () => 'bench-backlog');
  const [subscriber] = subscribers;
  try {
    await admin(bench, 'PATCH', `/admin/subscribers/${subscriber.id}`, { enabled: false });
    await sleep(SUBSCRIBER_CACHE_SETTLE_MS);
    await settle(bench);
    const load = await ingestAmount(bench, bench.volumes.backlogEvents);
    const events = load.ok;
    const pending = () => bench.db.count(`SELECT count(*) AS count FROM deliveries WHERE status = 'pending' AND subscriber_id = $1`, [subscriber.id]);
    await track(bench, 'pending deliveries of the disabled subscriber', pending, (n) => n >= events, capFor(events));
    const started = performance.now();
    await admin(bench, 'PATCH', `/admin/subscribers/${subscriber.id}`, { enabled: true });
    await track(
      bench,
      'backlog drain',
      () => jobsOn(queue(bench, subscriber.queue!)),
      (n) => n >= events,
      capFor(events),
    );
    const seconds = (performance.now() - started) / 1000;
    return { events, non2xx: load.non2xx, seconds, eventsPerSecond: events / seconds, workerRssBeforeMb, workerRssPeakMb: rss.peakMb() };
  } finally {
    rss.stop();
    await removeSubscribers(bench, subscribers);
  }
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks are 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Busy and total CPU time of the whole machine so far, in clock ticks (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = ticks.reduce((sum, tick) => sum + tick, 0);
  return { busy: total - ticks[3] - ticks[4], total };
}

/** Where the CPU went during a measurement: the machine's busy share, and each app's CPU time per item. */
export interface CpuUse {
  machineBusyPercent: number;
  gatewayMsPerItem: number;
  workerMsPerItem: number;
}

function cpuUse(bench: Bench): { per(items: number): CpuUse } {
  const { gateway, worker } = bench.stack;
  const before = { machine: machineTicks(), gateway: cpuMs(gateway.pid), worker: cpuMs(worker.pid) };
  return {
    per: (items) => {
      const machine = machineTicks();
      return {
        machineBusyPercent: (100 * (machine.busy - before.machine.busy)) / Math.max(1, machine.total - before.machine.total),
        gatewayMsPerItem: (cpuMs(gateway.pid) - before.gateway) / Math.max(1, items),
        workerMsPerItem: (cpuMs(worker.pid) - before.worker) / Math.max(1, items),
      };
    },
  };
}

function sampleRss(pid: number): { peakMb(): number; stop(): void } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // The worker has exited: the phase fails on its own through assertStackRunning.
    }
  }, 100);
  return { peakMb: () => peak, stop: () => clearInterval(timer) };
}

// ---------------------------------------------------------------------------------- helpers

interface BenchSubscriber {
  id: string;
  queue?: string;
}

async function createQueueSubscribers(bench: Bench, count: number, queueName: (i: number) => string): Promise<BenchSubscriber[]> {
  const created: BenchSubscriber[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const name = queueName(i);
      const { id } = (await admin(bench, 'POST', '/admin/subscribers', { name, kind: 'queue', queue: name })) as { id: string };
      created.push({ id, queue: name });
    }
    return created;
  } catch (error) {
    await removeSubscribers(bench, created);
    throw error;
  }
}

async function createHttpSubscriber(bench: Bench): Promise<BenchSubscriber> {
  const { id } = (await admin(bench, 'POST', '/admin/subscribers', { name: 'bench-http', kind: 'http', url: bench.receiver.url })) as { id: string };
  return { id };
}

async function removeSubscribers(bench: Bench, subscribers: BenchSubscriber[]): Promise<void> {
  for (const subscriber of subscribers) {
    await admin(bench, 'DELETE', `/admin/subscribers/${subscriber.id}`);
    if (subscriber.queue) await queue(bench, subscriber.queue).obliterate({ force: true });
  }
}

async function admin(bench: Bench, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${bench.stack.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bench.stack.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: Error) => {
    assertStackRunning(bench); // a dead gateway explains itself better than "fetch failed"
    throw new Error(`${method} ${path}: ${error.message}`);
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const queues = new WeakMap<Bench, Map<string, Queue>>();

/** One Queue object per name and run, all on the run's shared Redis connection. */
function queue(bench: Bench, name: string): Queue {
  let byName = queues.get(bench);
  if (!byName) queues.set(bench, (byName = new Map<string, Queue>()));
  let found = byName.get(name);
  if (!found) byName.set(name, (found = new Queue(name, { connection: bench.redis, prefix: bench.queuePrefix })));
  return found;
}

export async function closeQueues(bench: Bench): Promise<void> {
  await Promise.all([...(queues.get(bench)?.values() ?? [])].map((q) => q.close()));
}

function assertStackRunning(bench: Bench): void {
  const down = whyDown(bench.stack);
  if (down !== undefined) throw new Error(down);
}

/**
 * Poll `read` every 50 ms until `done`. Fails when the value has not changed for STALL_MS, after
 * `capMs`, or as soon as the gateway or the worker has died.
 */
async function track(bench: Bench, label: string, read: () => Promise<number>, done: (value: number) => boolean, capMs: number): Promise<void> {
  const started = Date.now();
  let last = Number.NaN;
  let changedAt = started;
  for (;;) {
    assertStackRunning(bench);
    const value = await read();
    if (done(value)) return;
    if (value !== last) [last, changedAt] = [value, Date.now()];
    if (Date.now() - changedAt > STALL_MS) throw new Error(`${label}: stuck at ${value} for ${STALL_MS / 1000} s`);
    if (Date.now() - started > capMs) throw new Error(`${label}: at ${value} after ${Math.round(capMs / 1000)} s`);
    await sleep(POLL_MS);
  }
}

async function undispatchedEvents(bench: Bench): Promise<number> {
  return bench.db.count('SELECT count(*) AS count FROM events WHERE dispatched_at IS NULL');
}

/** Wait until the worker has nothing left to do (previous phases' events fanned out). */
async function settle(bench: Bench): Promise<void> {
  const busy = async () => {
    const [undispatched, events, deliveries] = await Promise.all([
      undispatchedEvents(bench),
      queue(bench, EVENTS_QUEUE).getJobCountByTypes('waiting', 'paused', 'active', 'delayed', 'prioritized'),
      queue(bench, DELIVERIES_QUEUE).getJobCountByTypes('waiting', 'paused', 'active', 'delayed', 'prioritized'),
    ]);
    return undispatched + events + deliveries;
  };
  const initial = await busy();
  if (initial > 0) await track(bench, 'worker catching up between phases', busy, (n) => n === 0, capFor(initial));
}

// ---------------------------------------------------------------------------------- HTTP subscriber

/** A keep-alive receiver answering 200, counting distinct `webhook-id`s (one per event). */
export class HttpReceiver {
  private readonly ids = new Set<string>();
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((request, response) => {
      const id = request.headers['webhook-id'];
      request.resume();
      request.on('end', () => {
        if (typeof id === 'string') this.ids.add(id);
        response.writeHead(200).end();
      });
    });
    this.server.keepAliveTimeout = 65_000;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  get received(): number {
    return this.ids.size;
  }

  reset(): void {
    this.ids.clear();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
