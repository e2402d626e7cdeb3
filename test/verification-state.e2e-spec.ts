import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { decideStatus, SecretBox, type EventVerification, type VerificationEvent, type VerificationStatus } from '@kyc/core';
import { databaseOptions, EventEntity, EventStore, initializeDataSource, VerificationEntity, VerificationLedger, VerificationStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, aVerificationEvent, waitFor } from '@kyc/testing';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';
import { WorkerProcess } from './support/worker-process';

/** One subject's history: vendor times in minutes after T0, with a reversal (approved, later rejected) and a status-less event. */
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const HISTORY: Array<{ name: string; status: VerificationStatus | null; minute: number }> = [
  { name: 'created', status: 'created', minute: 0 },
  { name: 'review', status: 'review', minute: 10 },
  { name: 'document', status: null, minute: 12 },
  { name: 'approved', status: 'approved', minute: 20 },
  { name: 'rejected', status: 'rejected', minute: 30 },
];
const FINAL = 'rejected';

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/**
 * The contract's rule, replayed over one processing order: an event is stale when a status event
 * processed before it is newer. Used to check what the ledger recorded, whatever the order was.
 */
function expectedStale(order: Array<{ status: VerificationStatus | null; occurredAt: number }>): boolean[] {
  let held: { status: VerificationStatus | null; at: number | null } = { status: null, at: null };
  return order.map((event) => {
    const decision = decideStatus(held, event);
    if (decision.applied) held = { status: decision.status, at: event.occurredAt };
    return decision.stale;
  });
}

describe.each(DATABASE_KINDS)('verification state and its ordering guard on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let events: EventStore;
  let ledger: VerificationLedger;
  let verifications: VerificationStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await initializeDataSource(databaseOptions({ url: database.url, migrate: true }));
    const box = new SecretBox(randomBytes(32));
    events = new EventStore(dataSource.getRepository(EventEntity), box, testConfig());
    ledger = new VerificationLedger(dataSource, box);
    verifications = new VerificationStore(dataSource.getRepository(VerificationEntity), dataSource.getRepository(EventEntity), box);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  /** The history's events for a fresh subject, stored, keyed by name. */
  async function storedHistory(applicantId = `applicant-${randomUUID()}`): Promise<Map<string, VerificationEvent>> {
    const byName = new Map<string, VerificationEvent>();
    for (const step of HISTORY) {
      const occurredAt = new Date(T0 + step.minute * 60_000).toISOString();
      const event = aVerificationEvent(`${applicantId}-${step.name}`, {
        type: step.status ? `verification.${step.status}` : 'document.created',
        status: step.status,
        subject: { applicantId, externalUserId: `user-of-${applicantId}` },
        occurredAt,
      });
      await events.record(event, {});
      byName.set(step.name, event);
    }
    return byName;
  }

  it('gives every arrival order (120 permutations) the same final status, and marks exactly the late status events stale', async () => {
    const finals = new Set<string | null>();
    for (const order of permutations(HISTORY.map((step) => step.name))) {
      const history = await storedHistory();
      const blocks: EventVerification[] = [];
      for (const name of order) blocks.push((await ledger.apply([history.get(name)!])).get(history.get(name)!.id)!.verification!);

      const verificationId = blocks[0].id;
      expect(blocks.every((block) => block.id === verificationId)).toBe(true);
      expect(blocks.map((block) => block.sequence)).toEqual([1, 2, 3, 4, 5]);
      const ordered = order.map((name) => ({ status: history.get(name)!.status, occurredAt: Date.parse(history.get(name)!.occurredAt) }));
      expect(blocks.map((block) => block.stale)).toEqual(expectedStale(ordered));
      // Each block chains to the one before it.
      blocks.forEach((block, index) => expect(block.previousStatus).toBe(index === 0 ? null : blocks[index - 1].status));

      const verification = await verifications.findById(verificationId);
      finals.add(verification!.status);
      expect(verification).toMatchObject({ status: FINAL, statusAt: new Date(T0 + 30 * 60_000).toISOString(), events: 5 });
      const timeline = await verifications.timeline(verificationId);
      expect(timeline.map((entry) => entry.eventId)).toEqual(HISTORY.map((step) => history.get(step.name)!.id));
      expect(timeline.map((entry) => entry.stale)).toEqual(HISTORY.map((step) => blocks[order.indexOf(step.name)].stale));
      // What the events carry is what the timeline shows.
      expect((await events.findById(history.get(order[4])!.id))!.verification).toEqual(blocks[4]);
    }
    expect([...finals]).toEqual([FINAL]);
  }, 120_000);

  it('orders by stage where a vendor sent no time: a redelivered start after the decision is stale (Veriff session events)', async () => {
    const verificationId = `session-${randomUUID()}`;
    const timeless = (name: string, status: VerificationStatus, receivedAt: string) =>
      aVerificationEvent(`${verificationId}-${name}`, { type: `verification.${status}`, status, subject: { verificationId }, occurredAt: receivedAt, receivedAt });
    const decision = aVerificationEvent(`${verificationId}-approved`, { type: 'verification.approved', status: 'approved', subject: { verificationId }, occurredAt: new Date(T0).toISOString() });
    const redelivered = timeless('started', 'started', new Date().toISOString());
    for (const event of [decision, redelivered]) await events.record(event, {});
    await ledger.apply([decision]);
    const applied = await ledger.apply([redelivered]);
    expect(applied.get(redelivered.id)?.verification).toMatchObject({ status: 'approved', previousStatus: 'approved', stale: true });
    // And a decision after a timeless step applies, whatever the step's receipt time.
    const otherId = `session-${randomUUID()}`;
    const submitted = aVerificationEvent(`${otherId}-submitted`, {
      type: 'verification.processing',
      status: 'processing',
      subject: { verificationId: otherId },
      occurredAt: new Date(T0 + 3_600_000).toISOString(),
      receivedAt: new Date(T0 + 3_600_000).toISOString(),
    });
    const approved = aVerificationEvent(`${otherId}-approved`, { type: 'verification.approved', status: 'approved', subject: { verificationId: otherId }, occurredAt: new Date(T0).toISOString() });
    for (const event of [submitted, approved]) await events.record(event, {});
    await ledger.apply([submitted]);
    expect((await ledger.apply([approved])).get(approved.id)?.verification).toMatchObject({ status: 'approved', previousStatus: 'processing', stale: false });
  });

  it('applies the events of one call in vendor-time order, and never applies an event twice', async () => {
    const history = await storedHistory();
    const shuffled = [...history.values()].reverse();
    const first = await ledger.apply(shuffled);
    expect([...history.values()].map((event) => first.get(event.id)!.verification!.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect([...first.values()].some((result) => result.verification!.stale)).toBe(false);

    const again = await ledger.apply(shuffled);
    for (const event of shuffled) expect(again.get(event.id)).toEqual({ verification: first.get(event.id)!.verification, applied: false });
    const verification = await verifications.findById(first.get(shuffled[0].id)!.verification!.id);
    expect(verification).toMatchObject({ status: FINAL, events: 5 });
  });

  it('gives concurrent applies of one subject one history', async () => {
    const history = await storedHistory();
    // Each event its own call, all at once: on PostgreSQL, concurrent transactions on the pool.
    const results = await Promise.all([...history.values()].map((event) => ledger.apply([event])));
    const blocks = [...history.values()].map((event, index) => results[index].get(event.id)!.verification!);
    expect(blocks.map((block) => block.sequence).sort()).toEqual([1, 2, 3, 4, 5]);
    const bySequence = [...history.values()].map((event, index) => ({ event, block: blocks[index] })).sort((a, b) => a.block.sequence - b.block.sequence);
    expect(bySequence.map(({ block }) => block.stale)).toEqual(expectedStale(bySequence.map(({ event }) => ({ status: event.status, occurredAt: Date.parse(event.occurredAt) }))));
    expect(await verifications.findById(blocks[0].id)).toMatchObject({ status: FINAL, events: 5 });
  });

  it('takes new and known subjects in one call; on PostgreSQL, new subjects alone need no transaction', async () => {
    const known = await storedHistory();
    const [created, ...later] = [...known.values()];
    await ledger.apply([created]);
    const fresh = await storedHistory();
    const begun = transactionsBegun(dataSource);
    try {
      const onlyNew = await ledger.apply([...fresh.values()]);
      expect([...fresh.values()].map((event) => onlyNew.get(event.id)!.verification!.sequence)).toEqual([1, 2, 3, 4, 5]);
      if (kind === 'postgres') expect(begun()).toBe(0);
      const another = await storedHistory();
      const mixed = await ledger.apply([...later, ...another.values()]);
      expect(later.map((event) => mixed.get(event.id)!.verification!.sequence)).toEqual([2, 3, 4, 5]);
      expect([...another.values()].map((event) => mixed.get(event.id)!.verification!.sequence)).toEqual([1, 2, 3, 4, 5]);
      if (kind === 'postgres') expect(begun()).toBe(1);
    } finally {
      jest.restoreAllMocks();
    }
    for (const history of [known, fresh]) {
      const [first] = [...history.values()];
      const stored = await events.findById(first.id);
      expect(await verifications.findById(stored!.verification!.id)).toMatchObject({ status: FINAL, events: 5 });
    }
  });

  it('keys a verification by applicantId, else verificationId, else externalUserId, per connection; no subject, no verification', async () => {
    const verificationId = `session-${randomUUID()}`;
    const bySession = aVerificationEvent(`by-session-${verificationId}`, { subject: { verificationId }, status: 'started', type: 'verification.started' });
    const sameSessionOtherConnection = aVerificationEvent(`other-${verificationId}`, { connection: 'eu', subject: { verificationId }, status: 'started', type: 'verification.started' });
    const checkOnly = aVerificationEvent(`check-${verificationId}`, { subject: { checkId: 'check-1' } });
    for (const event of [bySession, sameSessionOtherConnection, checkOnly]) await events.record(event, {});
    const applied = await ledger.apply([bySession, sameSessionOtherConnection, checkOnly]);
    expect(applied.get(checkOnly.id)).toEqual({ verification: null, applied: true });
    expect(applied.get(bySession.id)!.verification!.id).not.toBe(applied.get(sameSessionOtherConnection.id)!.verification!.id);
    expect((await verifications.search({ verificationId }, 10)).map((each) => each.connection).sort()).toEqual(['default', 'eu']);
    expect((await verifications.search({ verificationId, connection: 'eu' }, 10)).map((each) => each.id)).toEqual([applied.get(sameSessionOtherConnection.id)!.verification!.id]);
    expect((await events.findById(checkOnly.id))!.verification).toBeNull();
  });

  it('finds stuck verifications: a non-final status held longer than asked (vendor time)', async () => {
    const applicantId = `stuck-${randomUUID()}`;
    const inReview = aVerificationEvent(`${applicantId}-review`, {
      subject: { applicantId },
      status: 'review',
      type: 'verification.review',
      occurredAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    });
    await events.record(inReview, {});
    const id = (await ledger.apply([inReview])).get(inReview.id)!.verification!.id;
    const stuckIds = async (seconds: number) => (await verifications.search({ stuckForSeconds: seconds }, 500)).map((each) => each.id);
    expect(await stuckIds(2 * 3_600)).toContain(id);
    expect(await stuckIds(4 * 3_600)).not.toContain(id);
    // Approved: final, so never stuck.
    const approved = aVerificationEvent(`${applicantId}-approved`, { subject: { applicantId }, status: 'approved', type: 'verification.approved' });
    await events.record(approved, {});
    await ledger.apply([approved]);
    expect(await stuckIds(0)).not.toContain(id);
  });
});

/**
 * Two worker processes take the same subjects' events at once, on PostgreSQL: every subject still
 * ends in its newest status, with one history (sequences 1..n) whose stale flags follow the rule.
 */
describe('verification state with two worker processes (PostgreSQL)', () => {
  const SUBJECTS = 12;
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;
  const workers: WorkerProcess[] = [];
  const cryptoKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    config = testConfig({ DATABASE_URL: database.url, ALLPASS_CRYPTO_KEY: cryptoKey, ALLPASS_ENCRYPTION_METHOD: 'aes-256-gcm' });
    gateway = await startTestApp(config);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    await gateway?.close();
    await database?.drop();
  });

  it('gives each subject its newest status and one history, whatever worker took which event', async () => {
    for (let i = 0; i < 2; i++) {
      const worker = new WorkerProcess(config);
      worker.start();
      workers.push(worker);
    }
    const allpass = findProvider('allpass')!;
    const credentials = { secrets: { cryptoKey }, options: allpass.parseOptions({ encryptionMethod: 'aes-256-gcm' }) };
    const TYPES: Record<string, string> = { created: 'applicantCreated', review: 'applicantInReview', document: 'applicantStepPassed', approved: 'applicantApproved', rejected: 'applicantRejected' };
    const requests = [];
    for (let subject = 0; subject < SUBJECTS; subject++) {
      const applicantId = randomUUID();
      for (const step of HISTORY) {
        requests.push(allpass.simulator.build(TYPES[step.name], credentials, { now: new Date(T0 + step.minute * 60_000), payload: { id: applicantId } }));
      }
    }
    // Every subject's events in a random order, all in flight at once.
    requests.sort(() => Math.random() - 0.5);
    const answers = await Promise.all(requests.map((request) => post(`${gateway.url}/webhooks/allpass`, request)));
    expect(answers.map((answer) => answer.status)).toEqual(requests.map(() => 200));

    const rows = gateway.app.get(DataSource).getRepository(EventEntity);
    const appliedCount = () => rows.createQueryBuilder('event').where('event.verification_applied_at IS NOT NULL').getCount();
    await waitFor(async () => (await appliedCount()) === requests.length, 60_000, `not every event was applied:\n${workers.map((w) => w.output).join('\n')}`);

    const store = gateway.app.get(VerificationStore);
    const all = await store.search({ provider: 'allpass' }, 500);
    expect(all).toHaveLength(SUBJECTS);
    for (const verification of all) {
      expect(verification).toMatchObject({ status: FINAL, events: HISTORY.length, statusAt: new Date(T0 + 30 * 60_000).toISOString() });
      const stored = await rows.find({ where: { verificationId: verification.id }, order: { verificationSequence: 'ASC' } });
      expect(stored.map((row) => row.verificationSequence)).toEqual([1, 2, 3, 4, 5]);
      expect(stored.map((row) => row.verificationStale)).toEqual(expectedStale(stored.map((row) => ({ status: row.status as VerificationStatus | null, occurredAt: row.occurredAt.getTime() }))));
    }
  }, 120_000);
});

/** How many transactions TypeORM query runners of `dataSource` begin from now on (until jest.restoreAllMocks). */
function transactionsBegun(dataSource: DataSource): () => number {
  let begun = 0;
  const create = dataSource.createQueryRunner.bind(dataSource);
  jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
    const runner = create(...args);
    const start = runner.startTransaction.bind(runner);
    runner.startTransaction = (...level) => {
      begun += 1;
      return start(...level);
    };
    return runner;
  });
  return () => begun;
}
