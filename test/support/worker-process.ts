import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AppConfig } from '@kyc/config';

/** The worker app as its own OS process (TypeScript run in place), so a test can SIGKILL it. */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(private readonly config: AppConfig) {}

  start(): void {
    const env = this.config.env;
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/worker/src/main.ts'], {
      cwd: join(__dirname, '../..'),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATA_DIR: env.DATA_DIR,
        DATABASE_URL: env.DATABASE_URL,
        REDIS_URL: env.REDIS_URL,
        QUEUE_PREFIX: env.QUEUE_PREFIX,
        ADMIN_API_KEY: this.config.adminApiKey,
        SECRETS_KEY: this.config.secretsKey.toString('base64'),
        RELAY_INTERVAL_MS: String(env.RELAY_INTERVAL_MS),
        RELAY_GRACE_MS: String(env.RELAY_GRACE_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** SIGKILL: no shutdown hooks, in-flight attempts are cut wherever they are. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
