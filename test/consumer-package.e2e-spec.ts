import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
// The bullmq the monorepo runs: already in npm's cache, so the install needs no download.
import { version as BULLMQ_VERSION } from 'bullmq/package.json';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '@kyc/config';
import { verificationEventJsonSchema } from '@kyc/consumer';
import { redisOptions } from '@kyc/queue';
import { AdminClient, aSeedVendorSet, freePort, testConfig, waitFor } from '@kyc/testing';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);
/**
 * The environment for the npm commands: without the `npm_*` variables that `npm test` sets for its
 * script (the repo's prefix and package among them), so npm works on the project it is run in.
 */
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
const REPO = join(__dirname, '..');
const PACKAGE_DIR = join(REPO, 'libs/consumer');
const PACKAGE_NAME = '@kyc-webhook-gateway/consumer';

/** A Node process of the downstream project, printing one JSON object per line. */
class DownstreamProcess {
  readonly lines: Record<string, unknown>[] = [];
  output = '';
  private readonly child: ChildProcess;

  constructor(cwd: string, script: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [script], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const line of complete) if (line.startsWith('{')) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** The first line matching `fields`, waiting up to 15 s. */
  async line(fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const find = () => this.lines.find((line) => Object.entries(fields).every(([key, value]) => line[key] === value));
    await waitFor(() => find() !== undefined || this.child.exitCode !== null, 15_000, `no line ${JSON.stringify(fields)} from the downstream process`);
    const found = find();
    if (!found) throw new Error(`the downstream process exited:\n${this.output}`);
    return found;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A CommonJS consumer of the installed package, reporting what its handler is given. */
const CJS_PROBE = `
const { consumeVerificationEvents } = require('${PACKAGE_NAME}');
const worker = consumeVerificationEvents({
  queue: process.env.QUEUE,
  connection: process.env.REDIS_URL,
  prefix: process.env.QUEUE_PREFIX,
  handler: (event, { job, isReplay, isStale }) => {
    console.log(JSON.stringify({ id: event.id, jobId: job.id, type: event.type, status: event.status, verification: event.verification, isReplay, isStale }));
  },
});
worker.on('ready', () => console.log(JSON.stringify({ ready: true })));
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
`;

/**
 * The consumer package as a downstream repository gets it: packed, installed from the tarball
 * into a fresh project outside the repo, and run there (CommonJS and ESM, the two examples/)
 * against a gateway this test starts.
 */
describe('the consumer package, packed and installed in a fresh project', () => {
  const vendors = aSeedVendorSet();
  let workDir: string;
  let project: string;
  let tarball: string;
  let config: AppConfig;
  let app: TestApp;
  let admin: AdminClient;
  const processes: DownstreamProcess[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'kyc-consumer-package-'));
    project = join(workDir, 'downstream');
    await mkdir(project);
    // prepack builds the package (tsup); --json prints the tarball's name and files.
    const packed = await run('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: PACKAGE_DIR, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
    [{ filename: tarball }] = JSON.parse(packed.stdout) as [{ filename: string }];
    await run('npm', ['init', '-y'], { cwd: project, env: npmEnv });
    // --ignore-scripts: bullmq's optional native msgpack build is not needed to consume.
    const install = ['install', join(workDir, tarball), `bullmq@${BULLMQ_VERSION}`, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    await run('npm', install, { cwd: project, env: npmEnv });
    await copyFile(join(REPO, 'examples/applicant-sync/main.mjs'), join(project, 'main.mjs'));
    await copyFile(join(REPO, 'examples/http-receiver/server.cjs'), join(project, 'server.cjs'));
    await writeFile(join(project, 'probe.cjs'), CJS_PROBE);

    config = testConfig({ ...vendors.environment });
    app = await startTestApp(config, { worker: true });
    admin = new AdminClient(app.url, config.adminApiKey);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await app?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  function startDownstream(script: string, env: Record<string, string>): DownstreamProcess {
    const child = new DownstreamProcess(project, script, env);
    processes.push(child);
    return child;
  }

  async function subscribe(input: Record<string, unknown>): Promise<{ id: string; secret?: string }> {
    const created = await admin.call<{ id: string; secret?: string }>('POST', '/subscribers', { body: { filter: { types: ['verification.*'], includeStale: true }, ...input } });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('ships CommonJS, ESM, declarations and the JSON Schema, with nothing of the monorepo', async () => {
    const installed = join(project, 'node_modules', PACKAGE_NAME);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; dependencies: Record<string, string> };
    expect(Object.keys(manifest.peerDependencies)).toEqual(['bullmq']);
    expect(Object.keys(manifest.dependencies)).toEqual(['standardwebhooks']);
    for (const file of ['index.cjs', 'index.mjs', 'index.d.ts', 'index.d.mts']) {
      expect({ file, monorepoImports: (await readFile(join(installed, 'dist', file), 'utf8')).match(/@kyc\//g) }).toEqual({ file, monorepoImports: null });
    }
    const exportsOf = async (code: string, inputType: 'commonjs' | 'module') =>
      JSON.parse((await run(process.execPath, ['--input-type', inputType, '-e', code], { cwd: project })).stdout) as { names: string[]; schema: unknown };
    const fromRequire = await exportsOf(
      `const c = require('${PACKAGE_NAME}'); console.log(JSON.stringify({ names: Object.keys(c).sort(), schema: require('${PACKAGE_NAME}/verification-event.schema.json') }))`,
      'commonjs',
    );
    const fromImport = await exportsOf(
      `import * as c from '${PACKAGE_NAME}'; import schema from '${PACKAGE_NAME}/verification-event.schema.json' with { type: 'json' }; console.log(JSON.stringify({ names: Object.keys(c).sort(), schema }))`,
      'module',
    );
    expect(fromRequire.names).toEqual(expect.arrayContaining(['consumeVerificationEvents', 'parseVerificationEvent', 'verifyHttpDelivery', 'verificationEventJsonSchema']));
    expect(fromImport.names).toEqual(fromRequire.names);
    expect(fromRequire.schema).toEqual(verificationEventJsonSchema());
    expect(fromImport.schema).toEqual(verificationEventJsonSchema());
  });

  it('types the examples, ESM and CommonJS, through the declarations (tsc, node16 resolution)', async () => {
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    // skipLibCheck: the declarations are checked where the examples use them; checking bullmq's and ioredis's own would triple the time.
    const options = ['--noEmit', '--strict', '--allowJs', '--checkJs', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck'];
    const types = ['--types', 'node', '--typeRoots', join(REPO, 'node_modules/@types')];
    const checked = await run(process.execPath, [tsc, ...options, ...types, 'main.mjs', 'server.cjs'], { cwd: project }).catch((error: { stdout: string }) => error);
    expect(checked.stdout).toBe('');
  });

  it('delivers to a CommonJS consumer, the ESM applicant table and the CommonJS HTTP receiver: typed, validated, replays and stale events flagged', async () => {
    const suffix = randomBytes(3).toString('hex');
    const env = { REDIS_URL: config.env.REDIS_URL, QUEUE_PREFIX: config.env.QUEUE_PREFIX };
    await subscribe({ name: `probe-${suffix}`, kind: 'queue', queue: `probe-${suffix}` });
    await subscribe({ name: `applicants-${suffix}`, kind: 'queue', queue: `applicants-${suffix}` });
    const probe = startDownstream('probe.cjs', { ...env, QUEUE: `probe-${suffix}` });
    const applicants = startDownstream('main.mjs', { ...env, QUEUE: `applicants-${suffix}`, APPLICANTS_FILE: 'applicants.json' });
    const port = await freePort();
    const http = await subscribe({ name: `crm-${suffix}`, kind: 'http', url: `http://127.0.0.1:${port}/kyc`, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 200 } } });
    const receiver = startDownstream('server.cjs', { PORT: String(port), KYC_WEBHOOK_SECRET: http.secret! });
    await Promise.all([probe.line({ ready: true }), applicants.line({ ready: true }), receiver.line({ listening: port })]);

    const applicantId = randomUUID();
    const send = async (type: string, minutesAgo: number) => {
      const answer = await post(`${app.url}/webhooks/allpass`, vendors.build('allpass', type, { now: new Date(Date.now() - minutesAgo * 60_000), payload: { id: applicantId } }));
      expect(answer.status).toBe(200);
      return answer.body.eventId as string;
    };

    // A decision, typed and validated on arrival.
    const approved = await send('applicantApproved', 1);
    const first = await probe.line({ id: approved });
    expect(first).toMatchObject({ jobId: approved, type: 'verification.approved', status: 'approved', isReplay: false, isStale: false });
    expect(first.verification).toMatchObject({ sequence: 1, status: 'approved', stale: false });
    await applicants.line({ event: approved, outcome: 'applied' });
    expect(await receiver.line({ event: approved })).toMatchObject({ type: 'verification.approved', outcome: 'accepted' });

    // The vendor's late retry of an older status: stale, and the table keeps the decision.
    const review = await send('applicantInReview', 2);
    expect(await probe.line({ id: review })).toMatchObject({ type: 'verification.review', isStale: true, isReplay: false });
    await applicants.line({ event: review, stale: true, outcome: 'stale' });
    expect(await receiver.line({ event: review })).toMatchObject({ stale: true, outcome: 'accepted' });

    // An operator's replay: flagged, and idempotent downstream.
    expect((await admin.call('POST', `/events/${approved}/replay`, { body: {} })).status).toBeLessThan(300);
    expect(await probe.line({ id: approved, isReplay: true })).toMatchObject({ jobId: `${approved}:replay:1` });
    await applicants.line({ event: approved, replay: true, outcome: 'duplicate' });
    await receiver.line({ event: approved, outcome: 'duplicate' });

    const table = JSON.parse(await readFile(join(project, 'applicants.json'), 'utf8')) as {
      applicants: Record<string, { applicantId: string; status: string; lastEventId: string }>;
      processedEventIds: string[];
    };
    expect(Object.values(table.applicants)).toEqual([expect.objectContaining({ applicantId, status: 'approved', lastEventId: approved })]);
    expect(table.processedEventIds).toEqual([approved, review]);

    // A job that is not a VerificationEvent fails at once, without reaching the handler.
    const queue = new Queue(`probe-${suffix}`, { connection: redisOptions(config.env.REDIS_URL, 'producer'), prefix: config.env.QUEUE_PREFIX });
    try {
      const job = await queue.add('verification.approved', { specVersion: '1', id: 'not-an-event' }, { jobId: `invalid-${suffix}` });
      await waitFor(async () => (await job.getState()) === 'failed', 10_000, 'the invalid job did not fail');
      expect((await queue.getJob(job.id!))?.failedReason).toMatch(/^Invalid VerificationEvent: provider must be/);
      expect(probe.lines.some((line) => line.id === 'not-an-event')).toBe(false);
    } finally {
      await queue.close();
    }

    // A request not signed with the subscriber's secret is refused by the helper.
    const body = JSON.stringify({ ...first, id: randomUUID() });
    const forged = new Webhook(`whsec_${randomBytes(24).toString('base64')}`);
    const at = new Date();
    const headers = { 'content-type': 'application/json', 'webhook-id': 'forged', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': forged.sign('forged', at, body) };
    expect((await fetch(`http://127.0.0.1:${port}/kyc`, { method: 'POST', headers, body })).status).toBe(401);
  });
});
