/**
 * `npm run bench`: build, start the compiled gateway and worker on a fresh PostgreSQL database and
 * then on a fresh SQLite file, measure ingest, fan-out, end-to-end latency and backlog drain, and
 * write bench/results/latest.{json,md}. Targets are reported, not asserted: the exit code is
 * non-zero only when something could not be measured.
 *
 *   npm run bench -- [--no-build] [--database postgres|sqlite|both] [--duration 10]
 *                    [--fanout-events 10000] [--backlog-events 50000]
 *                    [--sqlite-fanout-events 2000] [--sqlite-backlog-events 50000]
 *                    [--e2e-rate 500] [--e2e-seconds 10] [--bodies-per-second 12000]
 *                    [--phases baseline,ingest,fanout,addbulk,e2e,backlog] [--gateway-processes 1]
 *
 * `--phases` runs some phases only (while working on one figure); the results then say so.
 * `--gateway-processes N` runs the gateway as N processes (its GATEWAY_PROCESSES: a number or `auto`).
 * `BENCH_CPU_PROF_DIR=<dir>` writes a V8 CPU profile of each app under `<dir>/<app>/` (`node --cpu-prof`).
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import IORedis from 'ioredis';
import { MAX_GATEWAY_PROCESSES } from '@kyc/config';
import { PROVIDERS } from '@kyc/providers';
import type { LoadFigures } from './load';
import { closeQueues, HttpReceiver, measureBacklog, measureBaseline, measureEndToEnd, measureFanOut, measureIngest, measureRawAddBulk, type Bench, type Volumes } from './measure';
import { sourceRevision } from '@kyc/testing';
import { machine, textTable, writeReport, type DatabaseResult, type RunReport } from './report';
import { APP_SETTINGS, Cleanup, createDatabase, deleteRedisKeys, REDIS_URL, ROOT, startStack, whyDown, type DatabaseKind } from './stack';

const RESULTS_DIR = join(ROOT, 'bench/results');

const PHASES = ['baseline', 'ingest', 'fanout', 'addbulk', 'e2e', 'backlog'] as const;
type Phase = (typeof PHASES)[number];

/** The phase a measurement belongs to, from its name (`ingest complycube`, `fan-out 5 queue`, ...). */
const PHASE_OF = (name: string): Phase =>
  name.startsWith('ingest') ? 'ingest' : name.startsWith('fan-out') ? 'fanout' : name === 'raw addBulk' ? 'addbulk' : name === 'end-to-end' ? 'e2e' : name === 'backlog drain' ? 'backlog' : 'baseline';

interface Options {
  databases: DatabaseKind[];
  phases: Phase[];
  build: boolean;
  /** GATEWAY_PROCESSES of the gateway under test (`auto` resolved as the gateway does). */
  gatewayProcesses: number;
  volumes: Record<DatabaseKind, Volumes>;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      database: { type: 'string', default: 'both' },
      duration: { type: 'string', default: '10' },
      'no-build': { type: 'boolean', default: false },
      'fanout-events': { type: 'string', default: '10000' },
      'backlog-events': { type: 'string', default: '50000' },
      // SQLite fsyncs every acknowledged webhook and is much slower: a smaller fan-out keeps the run
      // short; the backlog is the issue's 50,000 on both databases.
      'sqlite-fanout-events': { type: 'string', default: '2000' },
      'sqlite-backlog-events': { type: 'string', default: '50000' },
      'e2e-rate': { type: 'string', default: '500' },
      'e2e-seconds': { type: 'string', default: '10' },
      'bodies-per-second': { type: 'string', default: '12000' },
      phases: { type: 'string', default: PHASES.join(',') },
      'gateway-processes': { type: 'string', default: '1' },
    },
  });
  const number = (name: keyof typeof values): number => {
    const value = Number(values[name]);
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
    return value;
  };
  const databases = { both: ['postgres', 'sqlite'], postgres: ['postgres'], sqlite: ['sqlite'] }[values.database] as DatabaseKind[] | undefined;
  if (!databases) throw new Error('--database must be postgres, sqlite or both');
  const gatewayProcesses = values['gateway-processes'] === 'auto' ? Math.min(MAX_GATEWAY_PROCESSES, availableParallelism()) : number('gateway-processes');
  if (gatewayProcesses > MAX_GATEWAY_PROCESSES) throw new Error(`--gateway-processes must be auto or at most ${MAX_GATEWAY_PROCESSES}`);
  const common = {
    duration: number('duration'),
    ingestConnections: 64,
    bodiesPerSecond: number('bodies-per-second'),
    fanOutQueueSubscribers: [1, 5, 20],
    addBulkJobsPerEvent: 20,
    e2eRate: number('e2e-rate'),
    e2eSeconds: number('e2e-seconds'),
    e2eConnections: 64,
  };
  const phases = values.phases.split(',').map((phase) => phase.trim());
  const unknown = phases.filter((phase) => !PHASES.includes(phase as Phase));
  if (unknown.length > 0) throw new Error(`--phases takes ${PHASES.join(', ')}; not ${unknown.join(', ')}`);
  return {
    databases,
    phases: phases as Phase[],
    build: !values['no-build'],
    gatewayProcesses,
    volumes: {
      postgres: { ...common, fanOutEvents: number('fanout-events'), backlogEvents: number('backlog-events') },
      sqlite: { ...common, fanOutEvents: number('sqlite-fanout-events'), backlogEvents: number('sqlite-backlog-events') },
    },
  };
}

/** Cleanup of the database run in progress, for Ctrl-C. */
let current: Cleanup | undefined;

async function runDatabase(database: DatabaseKind, volumes: Volumes, receiver: HttpReceiver, phases: readonly Phase[], gatewayProcesses: number): Promise<DatabaseResult> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const logDir = join(tmpdir(), `kyc-bench-${stamp}-${database}`);
  mkdirSync(logDir, { recursive: true });
  console.log(`\n== ${database}: logs in ${logDir}`);
  const started = performance.now();
  const result: DatabaseResult = { database, volumes, logDir, seconds: 0, ingest: {}, fanOut: [], failures: [] };
  const cleanup = (current = new Cleanup());
  const queuePrefix = `bench-${stamp}`;
  cleanup.add('redis keys', () => deleteRedisKeys(queuePrefix));
  try {
    const bench = await prepare(database, volumes, queuePrefix, logDir, cleanup, receiver, gatewayProcesses);
    await measureAll(bench, result, new Set(phases));
  } catch (error) {
    result.failures.push({ phase: 'start', message: (error as Error).message });
    console.error(`[${database}] could not start: ${(error as Error).message}`);
  } finally {
    await cleanup.close();
    current = undefined;
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

async function prepare(database: DatabaseKind, volumes: Volumes, queuePrefix: string, logDir: string, cleanup: Cleanup, receiver: HttpReceiver, gatewayProcesses: number): Promise<Bench> {
  const db = await createDatabase(database, queuePrefix.slice('bench-'.length), cleanup);
  const stack = await startStack({ database: db, queuePrefix, logDir, cleanup, gatewayProcesses });
  const reader = await db.openReader();
  cleanup.add('database reader', () => reader.close());
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  cleanup.add('redis connection', () => redis.disconnect());
  const bench: Bench = { stack, db: reader, queuePrefix, volumes, redis, receiver, logDir, cleanup };
  cleanup.add('queues', () => closeQueues(bench));
  return bench;
}

async function measureAll(bench: Bench, result: DatabaseResult, phases: ReadonlySet<Phase>): Promise<void> {
  const { volumes } = bench;
  const skipped: string[] = [];
  let down: string | undefined;
  const phase = async <T>(name: string, measure: () => Promise<T>, summary: (figures: T) => string): Promise<T | undefined> => {
    if (!phases.has(PHASE_OF(name))) return undefined;
    // Once the gateway or the worker has died, every later phase would fail the same way.
    down ??= whyDown(bench.stack);
    if (down !== undefined) {
      skipped.push(name);
      return undefined;
    }
    const started = performance.now();
    try {
      const figures = await measure();
      console.log(`[${result.database}] ${name}: ${summary(figures)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      return figures;
    } catch (error) {
      result.failures.push({ phase: name, message: (error as Error).message });
      console.error(`[${result.database}] ${name} FAILED: ${(error as Error).message}`);
      return undefined;
    }
  };
  const load = (f: LoadFigures) => `${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, non-2xx ${f.non2xx}, errors ${f.errors}, reused bodies ${f.reusedBodies}`;

  result.baseline = await phase('baseline', () => measureBaseline(bench), load);
  for (const { name: provider } of PROVIDERS) {
    const figures = await phase(`ingest ${provider}`, () => measureIngest(bench, provider), load);
    if (figures) result.ingest[provider] = figures;
  }
  const complycube = result.ingest.complycube;
  if (complycube && result.baseline) result.complycubeToBaseline = complycube.requestsPerSecond / result.baseline.requestsPerSecond;

  const cases = [...volumes.fanOutQueueSubscribers.map((n) => ['queue', n] as const), ['http', 1] as const];
  for (const [kind, subscribers] of cases) {
    const figures = await phase(
      `fan-out ${subscribers} ${kind}`,
      () => measureFanOut(bench, kind, subscribers),
      (f) => `${f.events} events in ${f.seconds.toFixed(2)} s: ${Math.round(f.deliveriesPerSecond)} deliveries/s, non-2xx ${f.non2xx}`,
    );
    if (figures) result.fanOut.push(figures);
  }
  const jobs = volumes.fanOutEvents * volumes.addBulkJobsPerEvent;
  result.rawAddBulk = await phase(
    'raw addBulk',
    () => measureRawAddBulk(bench, jobs),
    (f) => `${f.jobs} jobs of ${f.jobBytes} bytes: ${Math.round(f.jobsPerSecond)} jobs/s`,
  );
  const widest = result.fanOut.find((f) => f.kind === 'queue' && f.subscribers === Math.max(...volumes.fanOutQueueSubscribers));
  if (widest && result.rawAddBulk) result.fanOutToAddBulk = widest.deliveriesPerSecond / result.rawAddBulk.jobsPerSecond;

  result.endToEnd = await phase(
    'end-to-end',
    () => measureEndToEnd(bench),
    (f) => `${f.arrived}/${f.sent} arrived, p50 ${f.latencyMs.p50.toFixed(1)} ms, p99 ${f.latencyMs.p99.toFixed(1)} ms`,
  );
  result.backlog = await phase(
    'backlog drain',
    () => measureBacklog(bench),
    (f) => `${f.events} events in ${f.seconds.toFixed(1)} s, worker RSS ${Math.round(f.workerRssBeforeMb)} → ${Math.round(f.workerRssPeakMb)} MB`,
  );
  if (down !== undefined) {
    result.failures.push({ phase: skipped.join(', '), message: `not run: ${down}` });
    console.error(`[${result.database}] not run: ${skipped.join(', ')}: ${down}`);
  }
}

function build(): void {
  console.log('building (npm run build)...');
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
}

async function main(): Promise<number> {
  const options = parseOptions();
  const startedAt = new Date();
  const commit = sourceRevision();
  const started = performance.now();
  if (options.build) build();
  console.log(`gateway: GATEWAY_PROCESSES=${options.gatewayProcesses}`);
  const receiver = new HttpReceiver();
  await receiver.start();
  const results: DatabaseResult[] = [];
  try {
    for (const database of options.databases) results.push(await runDatabase(database, options.volumes[database], receiver, options.phases, options.gatewayProcesses));
  } finally {
    await receiver.close();
  }
  const report: RunReport = {
    machine: machine(startedAt, commit),
    settings: {
      databases: options.databases,
      build: options.build,
      gatewayProcesses: options.gatewayProcesses,
      appEnvironment: { ...APP_SETTINGS, GATEWAY_PROCESSES: String(options.gatewayProcesses) },
      volumes: Object.fromEntries(options.databases.map((d) => [d, options.volumes[d]])),
    },
    totalSeconds: (performance.now() - started) / 1000,
    results,
  };
  const providers = PROVIDERS.map((provider) => provider.name);
  console.log(`\n${textTable(report, providers)}\n`);
  // Only a run of every phase replaces the published results; a partial one goes to a temporary folder.
  const complete = PHASES.every((phase) => options.phases.includes(phase));
  const folder = complete ? RESULTS_DIR : join(tmpdir(), 'kyc-bench-partial');
  mkdirSync(folder, { recursive: true });
  writeReport(report, providers, folder);
  console.log(`written: ${join(folder, 'latest.json')}, ${join(folder, 'latest.md')}${complete ? '' : ` (phases ${options.phases.join(', ')} only)`} (${Math.round(report.totalSeconds)} s in all)`);
  return results.some((result) => result.failures.length > 0) ? 1 : 0;
}

/** Ctrl-C or SIGTERM: stop the children, drop the database and Redis keys, then leave (a second signal: at once). */
function onSignal(signal: NodeJS.Signals): void {
  console.error(`\n${signal}: cleaning up (${signal} again to leave at once)`);
  process.once(signal, () => process.exit(130));
  void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  },
);
