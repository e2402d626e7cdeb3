/**
 * What one benchmark run stands on: child processes (gateway, worker, baseline server) logging to
 * files, a throw-away database, the run's Redis keys, and a cleanup list that undoes all of it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { PROVIDERS, type ConnectionCredentials, type ProviderAdapter } from '@kyc/providers';
import { answers200, freePort } from '@kyc/testing';

export const ROOT = join(__dirname, '..');
const GATEWAY_MAIN = join(ROOT, 'dist/apps/gateway/apps/gateway/src/main.js');
const WORKER_MAIN = join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';
const BOOT_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Undo steps, run last-in first-out by `close` (at the end, on error and on Ctrl-C). */
export class Cleanup {
  private readonly steps: Array<{ label: string; run: () => unknown }> = [];

  add(label: string, run: () => unknown): void {
    this.steps.push({ label, run });
  }

  async close(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.run();
      } catch (error) {
        console.error(`cleanup (${step.label}) failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Every child still running, SIGKILLed if the orchestrator exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
process.on('exit', () => liveChildren.forEach((child) => child.kill('SIGKILL')));

/** A child process whose stdout and stderr go to one log file. */
export class Child {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    readonly logPath: string,
  ) {
    const log = openSync(logPath, 'a');
    // BENCH_CPU_PROF_DIR: a V8 CPU profile of each app, written when it exits (see docs/performance.md).
    const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROF_DIR, name)}`] : [];
    this.child = spawn(process.execPath, [...profile, ...args], { cwd: ROOT, env, stdio: ['ignore', log, log] });
    closeSync(log);
    liveChildren.add(this.child);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    void this.exited.then(() => liveChildren.delete(this.child));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Throws (with the end of the log) if the process has ended. */
  assertRunning(): void {
    if (!this.running) throw new Error(`${this.name} exited (code ${this.child.exitCode}, signal ${this.child.signalCode}); last lines of ${this.logPath}:\n${this.tail()}`);
  }

  tail(lines = 10): string {
    return readFileSync(this.logPath, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => line.slice(0, 300))
      .join('\n');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Poll `check` every `intervalMs` until it holds; fails after `timeoutMs`, or at once when `alive`
 * throws (a process it waits for has died).
 */
export async function waitFor(label: string, check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 100, alive: () => void = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive();
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${label}: not done after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(intervalMs);
  }
}

/** The plain `node:http` yardstick server, checking ComplyCube signatures made with `secret`. */
export async function startBaseline(secret: string, logDir: string, cleanup: Cleanup): Promise<{ url: string; child: Child }> {
  const env = { ...baseEnv(), BASELINE_SECRET: secret, PORT: '0' };
  const child = new Child('baseline', ['-r', 'ts-node/register/transpile-only', 'bench/baseline-server.ts'], env, join(logDir, 'baseline.log'));
  cleanup.add('baseline server', () => child.stop());
  let port = 0;
  await waitFor(
    'baseline server start',
    () => {
      port = Number(/listening (\d+)/.exec(readFileSync(child.logPath, 'utf8'))?.[1] ?? 0);
      return port > 0;
    },
    BOOT_TIMEOUT_MS,
    100,
    () => child.assertRunning(),
  );
  return { url: `http://127.0.0.1:${port}`, child };
}

export type DatabaseKind = 'postgres' | 'sqlite';

/** Read-only access to the gateway's database, for counting rows. */
export interface DatabaseReader {
  count(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export interface BenchDatabase {
  kind: DatabaseKind;
  /** DATABASE_URL of the apps. */
  url: string;
  /** Opened after the apps have migrated the schema. */
  openReader(): Promise<DatabaseReader>;
}

/** A fresh PostgreSQL database or SQLite file; removed by `cleanup`. */
export async function createDatabase(kind: DatabaseKind, stamp: string, cleanup: Cleanup): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const path = join(tmpdir(), `kyc-bench-${stamp}.sqlite`);
    cleanup.add('sqlite file', () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(path + suffix, { force: true })));
    return { kind, url: `sqlite:${path}`, openReader: () => Promise.resolve(sqliteReader(path)) };
  }
  const name = `bench_${stamp}`;
  await withPostgresAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  cleanup.add('postgres database', () => withPostgresAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  const url = POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`);
  return { kind, url, openReader: () => postgresReader(url) };
}

async function withPostgresAdmin(run: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

async function postgresReader(url: string): Promise<DatabaseReader> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('SET default_transaction_read_only = on');
  return {
    count: async (sql, params) => Number((await client.query<{ count: string }>(sql, params)).rows[0].count),
    close: () => client.end(),
  };
}

function sqliteReader(path: string): DatabaseReader {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  // SQLite wants `?` placeholders; the queries are written with PostgreSQL's `$n`.
  const prepare = (sql: string) => db.prepare(sql.replace(/\$\d+/g, '?'));
  return {
    count: (sql, params = []) => Promise.resolve(Number((prepare(sql).get(...params) as { count: number }).count)),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** Delete every Redis key under `prefix` (SCAN + UNLINK, never KEYS). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Only what Node needs from the orchestrator's environment: the apps get their settings from us. */
function baseEnv(): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, TZ } = process.env;
  return Object.fromEntries(Object.entries({ PATH, HOME, TMPDIR, TZ }).filter(([, value]) => value !== undefined));
}

/** Provider options set through the environment (and so used to build requests). */
const PROVIDER_OPTION_ENV: Record<string, string> = { ALLPASS_ENCRYPTION_METHOD: 'aes-256-gcm' };

/** The apps' settings that are not secrets or per-run names (reported with the results). */
export const APP_SETTINGS: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  // Production logging as shipped (one line per request): the figures must include its cost.
  LOG_LEVEL: 'info',
  ALLOW_PRIVATE_SUBSCRIBER_URLS: 'true',
  ...PROVIDER_OPTION_ENV,
};

export interface Stack {
  gatewayUrl: string;
  adminKey: string;
  gateway: Child;
  worker: Child;
  /** The credentials of each provider's `default` connection, for the simulators. */
  credentials: Map<string, ConnectionCredentials>;
}

export interface StackOptions {
  database: BenchDatabase;
  queuePrefix: string;
  logDir: string;
  cleanup: Cleanup;
  /** The gateway's GATEWAY_PROCESSES. */
  gatewayProcesses: number;
}

/** Gateway then worker (the gateway migrates the schema first), each ready before returning. */
export async function startStack({ database, queuePrefix, logDir, cleanup, gatewayProcesses }: StackOptions): Promise<Stack> {
  const credentials = new Map<string, ConnectionCredentials>();
  const providerEnv: Record<string, string> = { ...PROVIDER_OPTION_ENV };
  for (const adapter of PROVIDERS) credentials.set(adapter.name, defaultConnection(adapter, providerEnv));
  const adminKey = randomBytes(30).toString('base64url');
  const [port, metricsPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    ...providerEnv,
    ...APP_SETTINGS,
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    ADMIN_API_KEY: adminKey,
    SECRETS_KEY: randomBytes(32).toString('base64'),
  };
  const gateway = new Child('gateway', [GATEWAY_MAIN], { ...env, PORT: String(port), GATEWAY_PROCESSES: String(gatewayProcesses) }, join(logDir, 'gateway.log'));
  cleanup.add('gateway', () => gateway.stop());
  const gatewayUrl = `http://127.0.0.1:${port}`;
  // Several processes: ready once every one listens (the primary says so), not at the first.
  const allListening = () => gatewayProcesses === 1 || readFileSync(gateway.logPath, 'utf8').includes(`${gatewayProcesses} gateway processes serving`);
  await waitFor(
    'gateway ready',
    async () => allListening() && (await answers200(`${gatewayUrl}/health/ready`)),
    BOOT_TIMEOUT_MS,
    200,
    () => gateway.assertRunning(),
  );
  const worker = new Child('worker', [WORKER_MAIN], { ...env, METRICS_PORT: String(metricsPort) }, join(logDir, 'worker.log'));
  cleanup.add('worker', () => worker.stop());
  // The worker has no health route; its metrics server starts once its modules are up (production: behind the admin key).
  await waitFor(
    'worker ready',
    () => answers200(`http://127.0.0.1:${metricsPort}/metrics`, { authorization: `Bearer ${adminKey}` }),
    BOOT_TIMEOUT_MS,
    200,
    () => worker.assertRunning(),
  );
  return { gatewayUrl, adminKey, gateway, worker, credentials };
}

/** Why the stack is down (which process exited, its last log lines), or undefined while both run. */
export function whyDown(stack: Stack): string | undefined {
  try {
    stack.gateway.assertRunning();
    stack.worker.assertRunning();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Random secrets for a provider's `default` connection, put into `env` under the variable names
 * the gateway reads at boot, and the credentials the simulator signs with.
 */
function defaultConnection(adapter: ProviderAdapter, env: Record<string, string>): ConnectionCredentials {
  const secrets = adapter.simulator.generateSecrets();
  for (const [field, variable] of Object.entries(adapter.environment.secrets)) {
    if (secrets[field] !== undefined) env[variable] = secrets[field];
  }
  const rawOptions = Object.fromEntries(Object.entries(adapter.environment.options).flatMap(([field, variable]) => (env[variable] === undefined ? [] : [[field, env[variable]]])));
  return { secrets, options: adapter.parseOptions(rawOptions) };
}
