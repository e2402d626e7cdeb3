import { randomBytes } from 'node:crypto';
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync, WriteStream } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
export const GATEWAY_MAIN = join(ROOT, 'dist/apps/gateway/apps/gateway/src/main.js');
export const WORKER_MAIN = join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One compiled app (gateway or worker) as its own OS process, started again as often as a test
 * likes. Its output goes to a log file (kept for a failed run) and the last lines stay in memory.
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<ExitStatus> | undefined;
  private log: WriteStream | undefined;
  private tailLines: string[] = [];
  readonly exits: ExitStatus[] = [];
  /** Exits nobody asked for (a crash), with the last lines of output before them. */
  readonly crashes: { at: string; status: ExitStatus; tail: string }[] = [];
  private stopping = false;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly main: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts++;
    this.stopping = false;
    mkdirSync(this.logDir, { recursive: true });
    this.log = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: 'a' });
    this.log.write(`--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [this.main], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const log = this.log;
    const capture = (chunk: Buffer) => {
      log.write(chunk);
      this.tailLines.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.tailLines.length > 200) this.tailLines.splice(0, this.tailLines.length - 200);
    };
    child.stdout.on('data', capture);
    child.stderr.on('data', capture);
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        const status = { code, signal };
        this.exits.push(status);
        if (!this.stopping) this.crashes.push({ at: new Date().toISOString(), status, tail: this.tail(60) });
        log.write(`--- exit code=${code} signal=${signal} at ${new Date().toISOString()}\n`);
        resolve(status);
      }),
    );
  }

  /** Send a signal and wait for the process to end (SIGKILL after `timeoutMs`). */
  async stop(signal: NodeJS.Signals, timeoutMs = 20_000): Promise<ExitStatus> {
    const child = this.child;
    if (!child || !this.running) return this.exit ?? { code: null, signal: null };
    this.stopping = true;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit!;
    } finally {
      clearTimeout(timer);
    }
  }

  tail(lines = 40): string {
    return this.tailLines.slice(-lines).join('\n');
  }

  close(): void {
    this.log?.end();
  }
}

/**
 * A redis-server on its own port with an append-only file in its own folder, so it can be stopped
 * and started again with its data kept, or started empty after its files are deleted.
 */
export class PersistentRedis {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], { stdio: 'ignore' });
    await waitFor(() => ping(this.port), 15_000, `redis-server on ${this.port} did not start`);
  }

  /** SIGTERM: Redis flushes its append-only file and exits; SIGKILL: a crash. */
  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Delete every file Redis keeps (append-only files, snapshots): the next start is empty. */
  wipe(): void {
    for (const entry of readdirSync(this.dir)) rmSync(join(this.dir, entry), { recursive: true, force: true });
  }
}

/** PING over a raw socket: true once Redis answers (and has loaded its data). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Poll `check` until it holds or `timeoutMs` passes. A check that throws fails at once (e.g. the
 * process it waits for has exited); `context` adds details (a process's last lines) to the error.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, message = 'condition not met in time', intervalMs = 100, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ok: boolean;
    try {
      ok = await check();
    } catch (error) {
      throw new Error(`${message}: ${(error as Error).message}${context ? `\n${context()}` : ''}`);
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${message}${context ? `\n${context()}` : ''}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * What every compiled app of a fault suite runs with: production mode, quiet logs, a relay quick
 * enough for a short run, private subscriber URLs allowed (the receivers are local). The suite
 * adds where Redis and the database are, and the vendors' secrets.
 */
export function productionAppEnvironment(work: string, queuePrefix: string, adminKey: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? work,
    NODE_ENV: 'production',
    DATA_DIR: join(work, 'data'),
    QUEUE_PREFIX: queuePrefix,
    ADMIN_API_KEY: adminKey,
    SECRETS_KEY: randomBytes(32).toString('base64'),
    ALLOW_PRIVATE_SUBSCRIBER_URLS: 'true',
    LOG_LEVEL: 'warn',
    RELAY_INTERVAL_MS: '1000',
    RELAY_GRACE_MS: '5000',
  };
}
