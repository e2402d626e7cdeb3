import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FaultRecord {
  /** What was done, e.g. "worker-1 SIGKILL". */
  fault: string;
  /** ISO time it started. */
  at: string;
  /** Seconds since the traffic started. */
  t: number;
  /** Seconds since the traffic started when the fault ended (outages, restarts). */
  until?: number;
  detail?: string;
}

export interface FaultReport {
  passed: boolean;
  /** The commit measured (sourceRevision). */
  commit: string;
  startedAt: string;
  durationSeconds: number;
  trafficSeconds: number;
  webhooks: {
    sent: number;
    requests: number;
    retries: number;
    redeliveries: number;
    redeliveriesAnsweredDuplicate: number;
    acknowledged: number;
    unacknowledged: number;
    inconsistentEventIds: number;
    connectionErrors: number;
    connectionErrorsByCode: Record<string, number>;
    /** `slowestSeconds`: the seconds of traffic (t) with the most answers slower than p99, and how many. */
    latencyMs: { p50: number; p99: number; max: number; slowestSeconds: { t: number; count: number }[] };
  };
  storage: {
    storedEvents: number;
    storedExactlyOnce: number;
    ackedMissingFromDatabase: number;
    rowsPerVendorEventAboveOne: number;
    storedButNeverAcknowledged: number;
  };
  delivery: {
    subscribers: { name: string; kind: string; matchingEvents: number; received: number; lost: number; duplicates: number; duplicatesFromOperatorReplay: number }[];
    lost: number;
    deliveryRecords: number;
    expectedDeliveryRecords: number;
    duplicateDeliveryRecords: number;
    notSucceeded: number;
    httpRequestsToReceiver: number;
    httpFailedOnPurpose: number;
    invalidSignatures: number;
    queueJobsLostWithRedisData: number;
    operatorRetry: { from: string; to: string; queued: number } | null;
    quiescenceSeconds: number;
  };
  http5xx: Record<string, number>;
  http503OutsideFaultWindows: number;
  /** 503s during the pg_terminate_backend window; per gateway, ms from the last termination to its first 200 (no restart). */
  pgKill: { answered503: number; firstOkAfterLastKillMs: Record<string, number | null> };
  otherStatuses: Record<string, number>;
  /** inFlight*: requests the gateway certainly had at the signal (held open); other*: any request open on the client side. */
  gracefulShutdown: { process: string; exitCode: number | null; signal: string | null; inFlightAtSignal: number; inFlightAnswered: number; otherOpenAtSignal: number; otherAnswered: number }[];
  faults: FaultRecord[];
  failures: string[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

/** The summary table, as printed at the end of a run. */
export function formatReport(report: FaultReport): string {
  const rows: [string, string | number][] = [
    ['result', report.passed ? 'PASSED' : `FAILED (${report.failures.length})`],
    ['commit', report.commit],
    ['duration (s), of which traffic', `${report.durationSeconds}, ${report.trafficSeconds}`],
    ['webhooks sent (distinct vendor events)', report.webhooks.sent],
    ['HTTP requests (incl. retries, redeliveries)', `${report.webhooks.requests} (${report.webhooks.retries} retries, ${report.webhooks.redeliveries} redeliveries)`],
    ['acknowledged (distinct webhooks with a 200)', report.webhooks.acknowledged],
    ['unacknowledged after the vendor retries', report.webhooks.unacknowledged],
    ['redeliveries answered duplicate, same eventId', `${report.webhooks.redeliveriesAnsweredDuplicate} / ${report.webhooks.redeliveries}`],
    ['webhooks whose 200s named different eventIds', report.webhooks.inconsistentEventIds],
    ['ingress latency p50 / p99 / max (ms)', `${report.webhooks.latencyMs.p50} / ${report.webhooks.latencyMs.p99} / ${report.webhooks.latencyMs.max}`],
    ['answers slower than p99, by second (t: count)', report.webhooks.latencyMs.slowestSeconds.map(({ t, count }) => `${t}: ${count}`).join(', ')],
    ['stored events', report.storage.storedEvents],
    ['acknowledged webhooks stored exactly once', report.storage.storedExactlyOnce],
    ['acknowledged eventIds missing from the database', report.storage.ackedMissingFromDatabase],
    ['stored but never acknowledged', report.storage.storedButNeverAcknowledged],
    ...report.delivery.subscribers.map((s): [string, string] => [
      `subscriber ${s.name} (${s.kind}): matching / received / lost / duplicates`,
      `${s.matchingEvents} / ${s.received} / ${s.lost} / ${s.duplicates}${s.duplicatesFromOperatorReplay ? ` (${s.duplicatesFromOperatorReplay} from the operator's replay)` : ''}`,
    ]),
    ['LOST (acked events missing from a subscriber)', report.delivery.lost],
    ['delivery records / expected (events × matching subscribers)', `${report.delivery.deliveryRecords} / ${report.delivery.expectedDeliveryRecords}`],
    ['duplicate delivery records per (event, subscriber)', report.delivery.duplicateDeliveryRecords],
    ['deliveries not succeeded at the end', report.delivery.notSucceeded],
    ['HTTP subscriber: requests / failed on purpose / bad signatures', `${report.delivery.httpRequestsToReceiver} / ${report.delivery.httpFailedOnPurpose} / ${report.delivery.invalidSignatures}`],
    ['queue jobs lost with Redis data (recovered by the operator)', report.delivery.queueJobsLostWithRedisData],
    [
      'operator retry after the empty Redis',
      report.delivery.operatorRetry ? `${report.delivery.operatorRetry.queued} deliveries (${report.delivery.operatorRetry.from} → ${report.delivery.operatorRetry.to})` : 'not called',
    ],
    ['quiescence after the traffic (s)', report.delivery.quiescenceSeconds],
    ['5xx answers by status', JSON.stringify(report.http5xx)],
    ['503 outside fault windows', report.http503OutsideFaultWindows],
    [
      'PG kill: 503s; first 200 after the last kill (ms)',
      `${report.pgKill.answered503}; ${Object.entries(report.pgKill.firstOkAfterLastKillMs)
        .map(([name, ms]) => `${name} ${ms}`)
        .join(', ')}`,
    ],
    ['connection errors (retried)', `${report.webhooks.connectionErrors} ${JSON.stringify(report.webhooks.connectionErrorsByCode)}`],
    ['other non-200 statuses', JSON.stringify(report.otherStatuses)],
    ...report.gracefulShutdown.map((g): [string, string] => [
      `SIGTERM ${g.process}: exit; in-flight answered 200; other open answered`,
      `code ${g.exitCode}${g.signal ? ` signal ${g.signal}` : ''}; ${g.inFlightAnswered}/${g.inFlightAtSignal}; ${g.otherAnswered}/${g.otherOpenAtSignal}`,
    ]),
    ['faults injected', report.faults.length],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = ['', '=== Fault-injection suite ===', ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`), '', 'Faults (t = seconds since the traffic started):'];
  for (const fault of report.faults) {
    lines.push(`  t=${fault.t.toFixed(1).padStart(6)}${fault.until !== undefined ? `..${fault.until.toFixed(1)}` : ''}  ${fault.fault}${fault.detail ? `  (${fault.detail})` : ''}`);
  }
  if (report.failures.length > 0) lines.push('', 'Failures:', ...report.failures.map((failure) => `  - ${failure}`));
  return lines.join('\n');
}

export function writeReport(path: string, report: object): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
