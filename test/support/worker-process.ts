import { databaseOptions, initializeDataSource } from '@kyc/persistence';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AppConfig } from '@kyc/config';
import { waitFor } from '@kyc/testing';
export { freePort } from '@kyc/testing';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the exit. */
  ms: number;
}

/** One of the apps as its own OS process (TypeScript run in place), so a test can signal or SIGKILL it. */
export class AppProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<Omit<Exit, 'ms'>> | undefined;
  output = '';

  constructor(
    private readonly entry: string,
    protected readonly config: AppConfig,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  start(): void {
    const env: Record<string, string | undefined> = { ...process.env };
    // The whole validated configuration, as an operator would set it.
    for (const [key, value] of Object.entries(this.config.env)) if (value !== undefined) env[key] = String(value);
    Object.assign(env, this.config.providerVariables, { ADMIN_API_KEY: this.config.adminApiKey, SECRETS_KEY: this.config.secretsKey.toString('base64') }, this.extraEnv);
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', this.entry], {
      cwd: join(__dirname, '../..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no shutdown hooks, in-flight attempts are cut wherever they are. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exit;
  }

  /** Send `signal` (a graceful shutdown) and wait for the exit, SIGKILLing after `timeoutMs`. */
  async terminate(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<Exit> {
    const started = Date.now();
    this.child!.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const exit = await this.exit!;
    clearTimeout(timer);
    return { ...exit, ms: Date.now() - started };
  }
}

export class WorkerProcess extends AppProcess {
  constructor(config: AppConfig) {
    super('apps/worker/src/main.ts', config);
  }
}

/** The gateway app on its own port. */
export class GatewayProcess extends AppProcess {
  constructor(
    config: AppConfig,
    readonly port: number,
  ) {
    super('apps/gateway/src/main.ts', config, { PORT: String(port) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Wait until it answers /health/ready with 200. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const answers = () =>
      fetch(`${this.url}/health/ready`)
        .then((response) => response.status === 200)
        .catch(() => false);
    await waitFor(async () => !this.running || (await answers()), timeoutMs, `gateway not ready:\n${this.output}`);
    if (!this.running) throw new Error(`gateway exited at boot:\n${this.output}`);
  }
}

/** Ids of every event stored in the database at `url` (to check that acknowledged means stored). */
export async function storedEventIds(url: string): Promise<Set<string>> {
  const dataSource = await initializeDataSource(databaseOptions({ url, migrate: false }));
  try {
    return new Set((await dataSource.query<{ id: string }[]>('SELECT id FROM events')).map((row) => row.id));
  } finally {
    await dataSource.destroy();
  }
}
