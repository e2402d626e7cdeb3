import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { Client } from 'pg';
import { filterMatches, type SubscriptionFilter } from '@kyc/core';
import { PROVIDERS } from '@kyc/providers';
import { redisOptions } from '@kyc/queue';
import { answers200, aSeedVendorSet, createTestDatabase, sourceRevision, freePort, TestDatabase, withAdmin } from '@kyc/testing';
import { FlakyReceiver } from './flaky-receiver';
import { LoadGenerator, Target, Vendor } from './load-generator';
import { AppProcess, GATEWAY_MAIN, PersistentRedis, productionAppEnvironment, sleep, waitFor, WORKER_MAIN } from './processes';
import { FaultRecord, FaultReport, formatReport, percentile, writeReport } from './report';

/**
 * Fault injection against the compiled apps as real processes: two gateways and one (for a while
 * two) workers on one PostgreSQL database and one redis-server of this suite, a load generator
 * sending thousands of signed/encrypted webhooks of every vendor, and a schedule of faults (worker
 * SIGKILLs, Redis outages with and without its data, a gateway SIGTERM, PostgreSQL connections
 * terminated). Then: every acknowledged webhook stored once, delivered to every matching
 * subscriber (lost = 0), one delivery record per (event, subscriber), no 500, no request reset.
 */

const WEBHOOKS = Number(process.env.FAULTS_WEBHOOKS ?? 5_000);
const RATE = Number(process.env.FAULTS_RATE ?? 45);
/** The schedule below is written for ~110 s of traffic; a shorter run compresses it. */
const TRAFFIC_S = WEBHOOKS / RATE;
const SCALE = Math.min(1, TRAFFIC_S / 110);
const QUIESCENCE_TIMEOUT_MS = 150_000;
/** A schedule duration as it runs (scaled), for the fault list. */
const secs = (seconds: number) => `${Number((seconds * SCALE).toFixed(1))} s`;
/** Where the figures go (docs/reliability.md quotes them); set it elsewhere for ad-hoc and control runs. */
const RESULTS = process.env.FAULTS_RESULTS ?? join(__dirname, 'results/latest.json');

const SUITE_STARTED = Date.now();
const RUN = randomBytes(3).toString('hex');
const WORK = mkdtempSync(join(tmpdir(), `kyc-faults-${RUN}-`));
const LOG_DIR = join(WORK, 'logs');

/**
 * Connection errors of a request that reached a gateway and was cut (RST, or the server closing the
 * socket under it): the vendor sees a failure. Refused connections (ECONNREFUSED) never reached one.
 */
const RESET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

const HTTP_FILTER: SubscriptionFilter = { providers: [], types: ['verification.*', 'check.*'] };
const QUEUE_FILTER: SubscriptionFilter = { providers: [], types: ['*'] };

describe('fault injection: processes killed, Redis and PostgreSQL interrupted under load', () => {
  let database: TestDatabase;
  let redis: PersistentRedis;
  let adminKey: string;
  let env: Record<string, string>;
  const gateways: AppProcess[] = [];
  const workers: AppProcess[] = [];
  const workerMetrics: string[] = [];
  let targets: Target[];
  let receiver: FlakyReceiver;
  let consumer: Worker | undefined;
  const queueJobs = { processed: 0, byEvent: new Map<string, number>(), replayDuplicates: 0 };
  let subscribers: { id: string; name: string; kind: 'queue' | 'http'; filter: SubscriptionFilter }[] = [];
  const queueName = `faults-${RUN}`;
  let passed = false;

  beforeAll(async () => {
    for (const main of [GATEWAY_MAIN, WORKER_MAIN]) {
      if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm run test:faults does)`);
    }
    database = await createTestDatabase('postgres');
    redis = new PersistentRedis(await freePort(), join(WORK, 'redis'));
    await redis.start();

    adminKey = randomBytes(24).toString('base64url');
    env = {
      ...productionAppEnvironment(WORK, `faults-${RUN}`, adminKey),
      REDIS_URL: redis.url,
      ...vendors.environment,
      // e.g. `-r ./trace.js` to instrument the apps while investigating a failure
      ...(process.env.FAULTS_NODE_OPTIONS ? { NODE_OPTIONS: process.env.FAULTS_NODE_OPTIONS } : {}),
    };
    const dbUrl = (name: string) => `${database.url}?application_name=${name}`;
    targets = [];
    for (const name of ['gateway-1', 'gateway-2']) {
      const port = await freePort();
      gateways.push(new AppProcess(name, GATEWAY_MAIN, { ...env, PORT: String(port), DATABASE_URL: dbUrl(`faults-${name}`) }, LOG_DIR));
      targets.push({ name, url: `http://127.0.0.1:${port}` });
    }
    for (const name of ['worker-1', 'worker-2']) {
      const port = await freePort();
      workerMetrics.push(`http://127.0.0.1:${port}/metrics`);
      workers.push(new AppProcess(name, WORKER_MAIN, { ...env, METRICS_PORT: String(port), DATABASE_URL: dbUrl(`faults-${name}`) }, LOG_DIR));
    }

    // Both gateways boot at once on the empty database (migrations, default connections).
    for (const gateway of gateways) gateway.start();
    await Promise.all(gateways.map((gateway, index) => waitReady(gateway, targets[index].url)));
    workers[0].start();
    await waitWorker(0);

    receiver = await new FlakyReceiver(0.2).start();
    const queueSubscriber = await admin('POST', '/admin/subscribers', {
      name: 'faults-queue',
      kind: 'queue',
      queue: queueName,
      filter: QUEUE_FILTER,
    });
    const httpSubscriber = await admin('POST', '/admin/subscribers', {
      name: 'faults-http',
      kind: 'http',
      url: receiver.url,
      timeoutMs: 5_000,
      filter: HTTP_FILTER,
      retry: { maxAttempts: 50, backoff: { type: 'fixed', delayMs: 200 } },
    });
    receiver.secret = httpSubscriber.secret as string;
    subscribers = [
      { id: queueSubscriber.id as string, name: 'faults-queue', kind: 'queue', filter: QUEUE_FILTER },
      { id: httpSubscriber.id as string, name: 'faults-http', kind: 'http', filter: HTTP_FILTER },
    ];

    // The downstream service of the queue subscriber: a plain BullMQ Worker.
    consumer = new Worker(
      queueName,
      async (job) => {
        queueJobs.processed++;
        const eventId = (job.data as { id: string }).id;
        if (queueJobs.byEvent.has(eventId) && String(job.id).includes(':replay:')) queueJobs.replayDuplicates++;
        queueJobs.byEvent.set(eventId, (queueJobs.byEvent.get(eventId) ?? 0) + 1);
      },
      { connection: redisOptions(redis.url, 'worker'), prefix: env.QUEUE_PREFIX, concurrency: 50 },
    );
    consumer.on('error', () => undefined);
  }, 120_000);

  afterAll(async () => {
    for (const app of [...gateways, ...workers]) {
      await app.stop('SIGKILL').catch(() => undefined);
      app.close();
    }
    await consumer?.close(true).catch(() => undefined);
    await receiver?.stop().catch(() => undefined);
    await redis?.stop('SIGKILL').catch(() => undefined);
    await database?.drop().catch(() => undefined);
    if (passed) rmSync(WORK, { recursive: true, force: true });
    else console.log(`fault suite: process logs kept in ${LOG_DIR}`);
  }, 60_000);

  it('loses nothing, stores each webhook once, never answers 500', async () => {
    const load = new LoadGenerator(vendors.all, targets, {
      total: WEBHOOKS,
      ratePerSecond: RATE,
      concurrency: 48,
      maxTries: 8,
      retryDelayMs: 400,
      redeliveryShare: 0.02,
      timeoutMs: 10_000,
    });
    const faults: FaultRecord[] = [];
    const windows: [number, number][] = [];
    const shutdowns: FaultReport['gracefulShutdown'] = [];
    let operatorRetry: FaultReport['delivery']['operatorRetry'] = null;
    let queueJobsLostWithRedisData = 0;
    const failures: string[] = [];

    const t0 = Date.now();
    const t = () => (Date.now() - t0) / 1000;
    const at = async (seconds: number) => {
      const due = t0 + seconds * SCALE * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    };
    const record = (fault: string, detail?: string): FaultRecord => {
      const entry: FaultRecord = { fault, at: new Date().toISOString(), t: Number(t().toFixed(2)), detail };
      faults.push(entry);
      return entry;
    };
    const end = (entry: FaultRecord) => (entry.until = Number(t().toFixed(2)));

    const traffic = load.run();

    const schedule = async () => {
      await at(8);
      workers[1].start();
      record('worker-2 started: two workers at once');

      await at(15);
      const kill1 = record(`worker-1 SIGKILL, restarted ${secs(3)} later`);
      await workers[0].stop('SIGKILL');
      await at(18);
      workers[0].start();
      end(kill1);

      await at(25);
      const pgKill = record('pg_terminate_backend on every connection of the database (3 times, 1 s apart)');
      const terminated: Record<string, number> = {};
      for (let i = 0; i < 3; i++) {
        for (const [name, count] of Object.entries(await terminateBackends(database))) terminated[name] = (terminated[name] ?? 0) + count;
        if (i < 2) await sleep(1_000);
      }
      pgKill.detail = `terminated ${Object.entries(terminated)
        .map(([name, count]) => `${name}: ${count}`)
        .join(', ')}`;
      end(pgKill);
      windows.push([pgKill.t, pgKill.until! + 5]);

      await at(35);
      const keptOutage = record(`Redis stopped (SIGTERM) for ${secs(10)}, restarted with its data (append-only file)`);
      await redis.stop('SIGTERM');
      await at(45);
      await redis.start();
      end(keptOutage);
      windows.push([keptOutage.t, keptOutage.until! + 5]);

      await at(52);
      // In flight at the signal: requests whose headers and half body the gateway already has
      // (finished after the signal, they must get their 200), and a burst of ordinary ones.
      const held = Array.from({ length: 4 }, () => load.held(targets[1]));
      await sleep(300);
      const burst = load.burst(targets[1], 24);
      await sleep(30);
      const inFlight = [...(load.open.get(targets[1].name) ?? [])];
      const sigterm = record('gateway-2 SIGTERM mid-traffic; traffic to gateway-1 only until it is back');
      load.route([targets[0]]);
      const exited = gateways[1].stop('SIGTERM');
      await sleep(300);
      for (const request of held) request.finish();
      const exit = await exited;
      end(sigterm);
      await Promise.all(held.map((request) => request.answered));
      // The others resolve on their own.
      await waitFor(() => inFlight.every((attempt) => attempt.status !== undefined || attempt.error !== undefined), 15_000).catch(() => undefined);
      const heldOk = held.filter((request) => request.attempt.status === 200).length;
      const answered = inFlight.filter((attempt) => attempt.status !== undefined).length;
      const errors = countBy(inFlight.filter((attempt) => attempt.error !== undefined).map((attempt) => attempt.error!));
      sigterm.detail =
        `exit code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ''}; held requests finished after the signal: ${heldOk}/${held.length} got 200; ` +
        `other requests open at the signal: ${answered}/${inFlight.length} answered${Object.keys(errors).length ? `, connection errors ${JSON.stringify(errors)} (retried)` : ''}; burst of ${burst.length}`;
      shutdowns.push({
        process: 'gateway-2',
        exitCode: exit.code,
        signal: exit.signal,
        inFlightAtSignal: held.length,
        inFlightAnswered: heldOk,
        otherOpenAtSignal: inFlight.length,
        otherAnswered: answered,
      });

      await at(58);
      const workerStop = record('worker-2 SIGTERM (end of the two-worker period)');
      const workerExit = await workers[1].stop('SIGTERM');
      end(workerStop);
      workerStop.detail = `exit code ${workerExit.code}${workerExit.signal ? ` signal ${workerExit.signal}` : ''}`;
      shutdowns.push({ process: 'worker-2', exitCode: workerExit.code, signal: workerExit.signal, inFlightAtSignal: 0, inFlightAnswered: 0, otherOpenAtSignal: 0, otherAnswered: 0 });

      await at(63);
      const restart = record('gateway-2 started again');
      gateways[1].start();
      await waitReady(gateways[1], targets[1].url);
      load.route(targets);
      end(restart);

      await at(66);
      // The downstream service lags: jobs pile up in its queue, in Redis only, when Redis loses its data.
      const lag = record("queue subscriber's consumer paused (a lagging downstream service) until after the operator's recovery");
      await consumer!.pause(true);

      await at(70);
      const emptyOutage = record(`Redis killed (SIGKILL) for ${secs(10)}, its files deleted: restarted empty`);
      await redis.stop('SIGKILL');
      redis.wipe();
      const stoppedAt = new Date();
      queueJobsLostWithRedisData = await jobsOnlyInRedis(database, subscribers[0].id, queueJobs.byEvent);
      await at(80);
      await redis.start();
      end(emptyOutage);
      windows.push([emptyOutage.t, emptyOutage.until! + 5]);
      // The operator's recovery (contract): replay the queue subscriber's deliveries of the outage's
      // time range, from a minute before Redis went away to now.
      await sleep(2_000);
      const from = new Date(stoppedAt.getTime() - 60_000).toISOString();
      const to = new Date().toISOString();
      // FAULTS_SKIP_OPERATOR_RETRY=1 is a control run: the suite must then report the lost jobs.
      const retried = process.env.FAULTS_SKIP_OPERATOR_RETRY ? { queued: 0 } : await admin('POST', '/admin/deliveries/retry', { from, to, subscriberId: subscribers[0].id });
      operatorRetry = { from, to, queued: retried.queued as number };
      record('operator: POST /admin/deliveries/retry {from, to, subscriberId: queue subscriber}', `${operatorRetry.queued} deliveries`);
      consumer!.resume();
      end(lag);

      await at(90);
      const kill2 = record(`worker-1 SIGKILL, restarted ${secs(3)} later (the only worker)`);
      await workers[0].stop('SIGKILL');
      await at(93);
      workers[0].start();
      end(kill2);
    };

    await Promise.all([traffic, schedule()]);
    const trafficSeconds = t();

    // Quiescence: every event dispatched, every delivery succeeded, every subscriber has all.
    const quiesceStarted = Date.now();
    let state = await databaseState(database);
    for (;;) {
      state = await databaseState(database);
      const lost = lostDeliveries(state.events, subscribers, receiver, queueJobs.byEvent);
      if (state.undispatched === 0 && state.notSucceeded === 0 && state.deliveryRecords === expectedDeliveries(state.events, subscribers) && lost.total === 0) break;
      if (Date.now() - quiesceStarted > QUIESCENCE_TIMEOUT_MS) {
        failures.push(`no quiescence within ${QUIESCENCE_TIMEOUT_MS / 1000} s: ${state.undispatched} undispatched events, ${state.notSucceeded} deliveries not succeeded, ${lost.total} lost`);
        break;
      }
      await sleep(1_000);
    }
    const quiescenceSeconds = Number(((Date.now() - quiesceStarted) / 1000).toFixed(1));
    await load.close();

    // --- figures
    const webhooks = load.webhooks;
    const attempts = webhooks.flatMap((webhook) => webhook.attempts);
    const acked = webhooks.filter((webhook) => webhook.eventId !== undefined);
    const ackedIds = new Set(acked.map((webhook) => webhook.eventId!));
    const storedIds = new Set(state.events.map((event) => event.id));
    const redeliveries = attempts.filter((attempt) => attempt.redelivery && attempt.status === 200);
    const redeliveriesSent = new Set(webhooks.filter((webhook) => webhook.attempts.some((attempt) => attempt.redelivery)).map((webhook) => webhook.index)).size;
    const statuses = new Map<number, number>();
    for (const attempt of attempts) if (attempt.status !== undefined) statuses.set(attempt.status, (statuses.get(attempt.status) ?? 0) + 1);
    const http5xx = Object.fromEntries([...statuses].filter(([status]) => status >= 500).map(([status, count]) => [String(status), count]));
    const otherStatuses = Object.fromEntries([...statuses].filter(([status]) => status !== 200 && status < 500).map(([status, count]) => [String(status), count]));
    const outside503 = attempts.filter((attempt) => attempt.status === 503 && !windows.some(([from, to]) => (attempt.at - t0) / 1000 >= from - 1 && (attempt.at - t0) / 1000 <= to)).length;
    const [pgFrom, pgTo] = windows[0] ?? [0, 0];
    const pgKill = {
      answered503: attempts.filter((attempt) => attempt.status === 503 && (attempt.at - t0) / 1000 >= pgFrom - 1 && (attempt.at - t0) / 1000 <= pgTo).length,
      firstOkAfterLastKillMs: Object.fromEntries(
        targets.map((target) => {
          const firstOk = attempts
            .filter((attempt) => attempt.target === target.name && attempt.status === 200 && (attempt.at - t0) / 1000 >= pgTo - 5)
            .reduce((min, attempt) => Math.min(min, attempt.at + attempt.ms), Infinity);
          return [target.name, Number.isFinite(firstOk) ? Math.round(firstOk - (t0 + (pgTo - 5) * 1000)) : null];
        }),
      ),
    };
    const latencies = attempts
      .filter((attempt) => attempt.status === 200)
      .map((attempt) => attempt.ms)
      .sort((a, b) => a - b);
    // Where the tail is: the seconds of traffic holding the most answers slower than p99 (fault windows, or not).
    const p99 = percentile(latencies, 99);
    const slowSeconds = countBy(attempts.filter((attempt) => attempt.status === 200 && attempt.ms > p99).map((attempt) => String(Math.floor((attempt.at - t0) / 1000))));
    const slowestSeconds = Object.entries(slowSeconds)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([second, count]) => ({ t: Number(second), count }));
    const lost = lostDeliveries(
      state.events.filter((event) => ackedIds.has(event.id)),
      subscribers,
      receiver,
      queueJobs.byEvent,
    );
    const ackedMissing = [...ackedIds].filter((id) => !storedIds.has(id));
    const storedExactlyOnce = [...ackedIds].filter((id) => storedIds.has(id) && state.rowsPerVendorEvent.get(id) === 1).length;

    const report: FaultReport = {
      passed: false,
      commit: sourceRevision(),
      startedAt: new Date(SUITE_STARTED).toISOString(),
      durationSeconds: Math.round((Date.now() - SUITE_STARTED) / 1000),
      trafficSeconds: Math.round(trafficSeconds),
      webhooks: {
        sent: webhooks.length,
        requests: attempts.length,
        retries: attempts.filter((attempt) => !attempt.redelivery).length - webhooks.length,
        redeliveries: redeliveriesSent,
        redeliveriesAnsweredDuplicate: redeliveries.filter((attempt) => attempt.duplicate === true).length,
        acknowledged: acked.length,
        unacknowledged: webhooks.length - acked.length,
        inconsistentEventIds: webhooks.filter((webhook) => !webhook.consistent).length,
        connectionErrors: attempts.filter((attempt) => attempt.error !== undefined).length,
        connectionErrorsByCode: countBy(attempts.filter((attempt) => attempt.error !== undefined).map((attempt) => `${attempt.target} ${attempt.error}`)),
        latencyMs: { p50: percentile(latencies, 50), p99, max: Math.round(latencies[latencies.length - 1] ?? 0), slowestSeconds },
      },
      storage: {
        storedEvents: state.events.length,
        storedExactlyOnce,
        ackedMissingFromDatabase: ackedMissing.length,
        rowsPerVendorEventAboveOne: state.duplicateVendorEvents,
        storedButNeverAcknowledged: [...storedIds].filter((id) => !ackedIds.has(id)).length,
      },
      delivery: {
        subscribers: subscribers.map((subscriber) => {
          const matching = state.events.filter((event) => ackedIds.has(event.id) && filterMatches(subscriber.filter, event));
          const seen = subscriber.kind === 'queue' ? queueJobs.byEvent : receiver.delivered;
          let duplicates = 0;
          for (const count of seen.values()) duplicates += count - 1;
          return {
            name: subscriber.name,
            kind: subscriber.kind,
            matchingEvents: matching.length,
            received: seen.size,
            lost: lost.bySubscriber[subscriber.name] ?? 0,
            duplicates,
            duplicatesFromOperatorReplay: subscriber.kind === 'queue' ? queueJobs.replayDuplicates : 0,
          };
        }),
        lost: lost.total,
        deliveryRecords: state.deliveryRecords,
        expectedDeliveryRecords: expectedDeliveries(state.events, subscribers),
        duplicateDeliveryRecords: state.duplicateDeliveryRecords,
        notSucceeded: state.notSucceeded,
        httpRequestsToReceiver: receiver.requests,
        httpFailedOnPurpose: receiver.failedOnPurpose,
        invalidSignatures: receiver.invalidSignatures + receiver.mismatchedIds,
        queueJobsLostWithRedisData,
        operatorRetry,
        quiescenceSeconds,
      },
      http5xx,
      http503OutsideFaultWindows: outside503,
      pgKill,
      otherStatuses,
      gracefulShutdown: shutdowns,
      faults,
      failures,
    };

    const check = (ok: boolean, failure: string) => ok || failures.push(failure);
    check(ackedMissing.length === 0, `${ackedMissing.length} acknowledged eventIds are not in the database`);
    check(storedExactlyOnce === acked.length, `${acked.length - storedExactlyOnce} acknowledged webhooks are not stored exactly once`);
    check(state.duplicateVendorEvents === 0, `${state.duplicateVendorEvents} vendor events stored more than once`);
    check(report.webhooks.inconsistentEventIds === 0, `${report.webhooks.inconsistentEventIds} webhooks got 200s naming different eventIds`);
    check(report.webhooks.redeliveriesAnsweredDuplicate === redeliveries.length, 'a redelivery of a stored event was not answered duplicate: true');
    check(report.webhooks.unacknowledged === 0, `${report.webhooks.unacknowledged} webhooks never got a 200 within the vendor's retries`);
    check(report.storage.storedButNeverAcknowledged === 0, `${report.storage.storedButNeverAcknowledged} stored events were never acknowledged`);
    check(lost.total === 0, `LOST: ${lost.total} (event, subscriber) pairs never delivered: ${JSON.stringify(lost.bySubscriber)} e.g. ${lost.examples.join(', ')}`);
    check(state.duplicateDeliveryRecords === 0, `${state.duplicateDeliveryRecords} (event, subscriber) pairs with more than one delivery record`);
    check(state.deliveryRecords === report.delivery.expectedDeliveryRecords, `${state.deliveryRecords} delivery records, expected ${report.delivery.expectedDeliveryRecords}`);
    check((statuses.get(500) ?? 0) === 0, `${statuses.get(500)} answers were 500`);
    check(
      Object.keys(http5xx).every((status) => status === '503'),
      `5xx other than 503: ${JSON.stringify(http5xx)}`,
    );
    check(Object.keys(otherStatuses).length === 0, `unexpected statuses for valid webhooks: ${JSON.stringify(otherStatuses)}`);
    const resets = countBy(attempts.filter((attempt) => attempt.error !== undefined && RESET_ERRORS.has(attempt.error)).map((attempt) => `${attempt.target} ${attempt.error}`));
    check(Object.keys(resets).length === 0, `requests reset by a gateway (issue 15): ${JSON.stringify(resets)}`);
    check(outside503 === 0, `${outside503} answers were 503 outside the fault windows`);
    for (const [name, ms] of Object.entries(pgKill.firstOkAfterLastKillMs)) {
      check(ms !== null && ms < 5_000, `${name} did not answer 200 within 5 s of the PostgreSQL connections being terminated (${ms} ms)`);
    }
    check(report.delivery.invalidSignatures === 0, `${report.delivery.invalidSignatures} HTTP deliveries with a bad signature or webhook-id`);
    for (const app of [...gateways, ...workers]) {
      for (const crash of app.crashes) {
        failures.push(`${app.name} exited on its own at ${crash.at} (code ${crash.status.code}, signal ${crash.status.signal}); last output:\n${crash.tail}`);
      }
    }
    for (const shutdown of shutdowns) {
      check(shutdown.exitCode === 0, `${shutdown.process} did not exit 0 after SIGTERM (code ${shutdown.exitCode}, signal ${shutdown.signal})`);
      check(shutdown.inFlightAnswered === shutdown.inFlightAtSignal, `${shutdown.process}: ${shutdown.inFlightAtSignal - shutdown.inFlightAnswered} requests in flight at SIGTERM got no 200`);
    }
    report.passed = failures.length === 0;
    report.durationSeconds = Math.round((Date.now() - SUITE_STARTED) / 1000);

    console.log(formatReport(report));
    writeReport(RESULTS, report);
    if (!report.passed) {
      for (const app of [...gateways, ...workers]) console.log(`--- ${app.name} (last lines)\n${app.tail(30)}`);
    }
    passed = report.passed;
    expect(failures).toEqual([]);
  }, 540_000);

  // --- helpers (closures over the suite's state)

  async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${targets[0].url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  }

  async function waitReady(gateway: AppProcess, url: string): Promise<void> {
    await waitFor(
      () => (gateway.running ? answers200(`${url}/health/ready`) : Promise.reject(new Error(`${gateway.name} exited`))),
      60_000,
      `${gateway.name} did not become ready`,
      200,
      () => gateway.tail(),
    );
  }

  async function waitWorker(index: number): Promise<void> {
    const worker = workers[index];
    await waitFor(
      () => (worker.running ? answers200(workerMetrics[index], { authorization: `Bearer ${adminKey}` }) : Promise.reject(new Error(`${worker.name} exited`))),
      60_000,
      `${worker.name} did not start`,
      200,
      () => worker.tail(),
    );
  }
});

// --- vendors: each simulator's own secrets, also given to the gateways as their default connections

const seeds = aSeedVendorSet();
/** Every registered vendor, on its default options (Allpass: AES-256-GCM). */
const vendors = {
  environment: seeds.environment,
  all: PROVIDERS.map((adapter): Vendor => ({ adapter, credentials: seeds.credentials(adapter.name) })),
};

async function terminateBackends(database: TestDatabase): Promise<Record<string, number>> {
  const name = new URL(database.url).pathname.slice(1);
  const rows = await withAdmin((client) =>
    client.query<{ application_name: string; terminated: boolean }>(
      'SELECT application_name, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    ),
  );
  const counts: Record<string, number> = {};
  for (const row of rows.rows) if (row.terminated) counts[row.application_name || '?'] = (counts[row.application_name || '?'] ?? 0) + 1;
  return counts;
}

interface StoredEvent {
  id: string;
  provider: string;
  connection: string;
  type: string;
}

interface DatabaseState {
  events: StoredEvent[];
  undispatched: number;
  /** Rows sharing the event's (provider, connection, provider_event_id), per event id. */
  rowsPerVendorEvent: Map<string, number>;
  duplicateVendorEvents: number;
  deliveryRecords: number;
  duplicateDeliveryRecords: number;
  notSucceeded: number;
}

async function databaseState(database: TestDatabase): Promise<DatabaseState> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const events = await client.query<StoredEvent & { undispatched: boolean; copies: string }>(
      `SELECT id, provider, connection, type, dispatched_at IS NULL AS undispatched,
              COUNT(*) OVER (PARTITION BY provider, connection, provider_event_id) AS copies
         FROM events`,
    );
    const deliveries = await client.query<{ records: string; pairs: string; not_succeeded: string }>(
      `SELECT COUNT(*) AS records, COUNT(DISTINCT (event_id, subscriber_id)) AS pairs,
              COUNT(*) FILTER (WHERE status <> 'succeeded') AS not_succeeded
         FROM deliveries`,
    );
    const row = deliveries.rows[0];
    const rowsPerVendorEvent = new Map(events.rows.map((event) => [event.id, Number(event.copies)]));
    return {
      events: events.rows.map(({ id, provider, connection, type }) => ({ id, provider, connection, type })),
      undispatched: events.rows.filter((event) => event.undispatched).length,
      rowsPerVendorEvent,
      duplicateVendorEvents: [...rowsPerVendorEvent.values()].filter((copies) => copies > 1).length,
      deliveryRecords: Number(row.records),
      duplicateDeliveryRecords: Number(row.records) - Number(row.pairs),
      notSucceeded: Number(row.not_succeeded),
    };
  } finally {
    await client.end();
  }
}

/** Queue deliveries the database says succeeded whose job the consumer had not taken when Redis lost its data. */
async function jobsOnlyInRedis(database: TestDatabase, queueSubscriberId: string, seen: Map<string, number>): Promise<number> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const rows = await client.query<{ event_id: string }>(`SELECT event_id FROM deliveries WHERE subscriber_id = $1 AND status = 'succeeded'`, [queueSubscriberId]);
    return rows.rows.filter((row) => !seen.has(row.event_id)).length;
  } finally {
    await client.end();
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function expectedDeliveries(events: StoredEvent[], subscribers: { filter: SubscriptionFilter }[]): number {
  let total = 0;
  for (const event of events) for (const subscriber of subscribers) if (filterMatches(subscriber.filter, event)) total++;
  return total;
}

function lostDeliveries(
  events: StoredEvent[],
  subscribers: { name: string; kind: 'queue' | 'http'; filter: SubscriptionFilter }[],
  receiver: FlakyReceiver,
  queued: Map<string, number>,
): { total: number; bySubscriber: Record<string, number>; examples: string[] } {
  const bySubscriber: Record<string, number> = {};
  const examples: string[] = [];
  let total = 0;
  for (const subscriber of subscribers) {
    const seen = subscriber.kind === 'queue' ? queued : receiver.delivered;
    for (const event of events) {
      if (!filterMatches(subscriber.filter, event) || seen.has(event.id)) continue;
      total++;
      bySubscriber[subscriber.name] = (bySubscriber[subscriber.name] ?? 0) + 1;
      if (examples.length < 5) examples.push(`${subscriber.name}:${event.id}`);
    }
  }
  return { total, bySubscriber, examples };
}
