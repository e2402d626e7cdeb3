/**
 * The figures of a run beside the benchmark issue's targets: a text table for the terminal,
 * `bench/results/latest.json` and `bench/results/latest.md` (the table docs/performance.md quotes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { LoadFigures } from './load';
import type { AddBulkFigures, BacklogFigures, EndToEndFigures, FanOutFigures, Volumes } from './measure';
import type { DatabaseKind } from './stack';

export interface DatabaseResult {
  database: DatabaseKind;
  volumes: Volumes;
  logDir: string;
  seconds: number;
  baseline?: LoadFigures;
  ingest: Record<string, LoadFigures>;
  /** ComplyCube ingest requests/s ÷ baseline requests/s. */
  complycubeToBaseline?: number;
  fanOut: FanOutFigures[];
  rawAddBulk?: AddBulkFigures;
  /** Fan-out deliveries/s with the most queue subscribers ÷ raw addBulk jobs/s. */
  fanOutToAddBulk?: number;
  endToEnd?: EndToEndFigures;
  backlog?: BacklogFigures;
  /** Phases that could not be measured. */
  failures: Array<{ phase: string; message: string }>;
}

export interface RunReport {
  machine: { cpus: number; cpuModel: string; totalMemoryMb: number; node: string; date: string; commit: string };
  settings: {
    databases: DatabaseKind[];
    build: boolean;
    /** GATEWAY_PROCESSES: HTTP processes of the gateway (absent in runs before it existed: 1). */
    gatewayProcesses?: number;
    appEnvironment: Record<string, string>;
    volumes: Partial<Record<DatabaseKind, Volumes>>;
  };
  totalSeconds: number;
  results: DatabaseResult[];
}

interface Row {
  figure: string;
  target: string;
  cell: (result: DatabaseResult) => string | undefined;
  /** Whether the target is met; undefined for a figure without target or not measured. */
  met?: (result: DatabaseResult) => boolean | undefined;
}

const DATABASE_NAMES: Record<DatabaseKind, string> = { postgres: 'PostgreSQL', sqlite: 'SQLite' };

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n < 10 ? n.toFixed(1) : int(n));
const ratio = (n: number): string => n.toFixed(2);
const when = <T>(value: T | undefined, format: (value: T) => string): string | undefined => (value === undefined ? undefined : format(value));
const check = <T>(value: T | undefined, test: (value: T) => boolean): boolean | undefined => (value === undefined ? undefined : test(value));

/** `commit`: the source revision read when the run started (and built), not when it ends. */
export function machine(startedAt: Date, commit: string): RunReport['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    date: startedAt.toISOString(),
    commit,
  };
}

function ingestRows(provider: string): Row[] {
  const figures = (r: DatabaseResult) => r.ingest[provider];
  return [
    {
      figure: `ingest ${provider}: requests/s`,
      target: '≥ 5,000',
      cell: (r) => when(figures(r), (f) => int(f.requestsPerSecond)),
      met: (r) => check(figures(r), (f) => f.requestsPerSecond >= 5_000),
    },
    {
      figure: `ingest ${provider}: latency p50 / p99 / p99.9 (ms)`,
      target: 'p99 ≤ 50 ms',
      cell: (r) => when(figures(r), (f) => `${ms(f.latencyMs.p50)} / ${ms(f.latencyMs.p99)} / ${ms(f.latencyMs.p99_9)}`),
      met: (r) => check(figures(r), (f) => f.latencyMs.p99 <= 50),
    },
    {
      figure: `ingest ${provider}: non-2xx / errors / total`,
      target: '',
      cell: (r) => when(figures(r), (f) => `${int(f.non2xx)} / ${int(f.errors)} / ${int(f.total)}`),
    },
  ];
}

function fanOutRows(queueSubscribers: number[]): Row[] {
  const most = Math.max(...queueSubscribers);
  const cases: Array<{ kind: 'queue' | 'http'; subscribers: number }> = [...queueSubscribers.map((subscribers) => ({ kind: 'queue' as const, subscribers })), { kind: 'http', subscribers: 1 }];
  return cases.map(({ kind, subscribers }) => {
    const figures = (r: DatabaseResult) => r.fanOut.find((f) => f.kind === kind && f.subscribers === subscribers);
    const targeted = kind === 'queue' && subscribers === most;
    return {
      figure: `fan-out to ${subscribers} ${kind} subscriber${subscribers > 1 ? 's' : ''}: deliveries/s (events/s)`,
      target: targeted ? '≥ 10,000' : '',
      cell: (r) => when(figures(r), (f) => `${int(f.deliveriesPerSecond)} (${int(f.eventsPerSecond)})`),
      met: targeted ? (r) => check(figures(r), (f) => f.deliveriesPerSecond >= 10_000) : undefined,
    };
  });
}

function rows(providers: string[], volumes: Volumes): Row[] {
  const most = Math.max(...volumes.fanOutQueueSubscribers);
  return [
    { figure: 'baseline node:http + HMAC: requests/s', target: '', cell: (r) => when(r.baseline, (b) => int(b.requestsPerSecond)) },
    ...providers.flatMap(ingestRows),
    {
      figure: 'ingest ratio: complycube ÷ baseline',
      target: '≥ 0.4',
      cell: (r) => when(r.complycubeToBaseline, ratio),
      met: (r) => check(r.complycubeToBaseline, (v) => v >= 0.4),
    },
    ...fanOutRows(volumes.fanOutQueueSubscribers),
    { figure: 'raw addBulk (orchestrator → Redis): jobs/s', target: '', cell: (r) => when(r.rawAddBulk, (a) => int(a.jobsPerSecond)) },
    {
      figure: `fan-out ${most} subscribers ÷ raw addBulk`,
      target: '≥ 0.5',
      cell: (r) => when(r.fanOutToAddBulk, ratio),
      met: (r) => check(r.fanOutToAddBulk, (v) => v >= 0.5),
    },
    {
      figure: `end-to-end latency p50 / p99 / max (ms) at ${volumes.e2eRate}/s, evenly paced`,
      target: 'p99 ≤ 25 ms',
      cell: (r) => when(r.endToEnd, (e) => `${ms(e.latencyMs.p50)} / ${ms(e.latencyMs.p99)} / ${ms(e.latencyMs.max)}`),
      met: (r) => check(r.endToEnd, (e) => e.latencyMs.p99 <= 25),
    },
    {
      figure: 'end-to-end: acknowledgement p50 / p99 / max (ms); sender lag p99 / max (ms)',
      target: '',
      cell: (r) => when(r.endToEnd, (e) => `${ms(e.ackLatencyMs.p50)} / ${ms(e.ackLatencyMs.p99)} / ${ms(e.ackLatencyMs.max)}; ${ms(e.sendLagMs.p99)} / ${ms(e.sendLagMs.max)}`),
    },
    {
      figure: 'end-to-end: machine CPU busy %; gateway / worker CPU ms per webhook',
      target: '',
      cell: (r) => when(r.endToEnd, (e) => `${int(e.cpu.machineBusyPercent)} %; ${e.cpu.gatewayMsPerItem.toFixed(2)} / ${e.cpu.workerMsPerItem.toFixed(2)}`),
    },
    {
      figure: 'end-to-end: arrived / acknowledged / sent',
      target: 'all',
      cell: (r) => when(r.endToEnd, (e) => `${int(e.arrived)} / ${int(e.acknowledged)} / ${int(e.sent)}`),
      met: (r) => check(r.endToEnd, (e) => e.arrived === e.sent),
    },
    {
      figure: 'backlog drain: events/s (seconds)',
      target: '≥ 5,000',
      cell: (r) => when(r.backlog, (b) => `${int(b.eventsPerSecond)} (${b.seconds.toFixed(1)} s)`),
      met: (r) => check(r.backlog, (b) => b.eventsPerSecond >= 5_000),
    },
    {
      figure: 'worker RSS before / peak during backlog (MB)',
      target: 'peak ≤ 300 MB',
      cell: (r) => when(r.backlog, (b) => `${int(b.workerRssBeforeMb)} / ${int(b.workerRssPeakMb)}`),
      met: (r) => check(r.backlog, (b) => b.workerRssPeakMb <= 300),
    },
    { figure: 'volume: ingest seconds per vendor (connections)', target: '', cell: (r) => `${r.volumes.duration} (${r.volumes.ingestConnections})` },
    { figure: 'volume: fan-out events per case', target: '', cell: (r) => int(r.volumes.fanOutEvents) },
    { figure: 'volume: raw addBulk jobs', target: '', cell: (r) => int(r.volumes.fanOutEvents * r.volumes.addBulkJobsPerEvent) },
    { figure: 'volume: backlog events', target: '', cell: (r) => int(r.volumes.backlogEvents) },
    {
      figure: 'request bodies reused: gateway runs (baseline, harmless there)',
      target: '0',
      cell: (r) => `${int(reusedBodies(r))} (${when(r.baseline, (b) => int(b.reusedBodies)) ?? '-'})`,
      met: (r) => reusedBodies(r) === 0,
    },
  ];
}

function reusedBodies(result: DatabaseResult): number {
  return Object.values(result.ingest).reduce((sum, figures) => sum + figures.reusedBodies, 0);
}

const metWord = (met: boolean | undefined): string => (met === undefined ? '' : met ? 'met' : 'NOT met');

/** Header and body cells of the table, one pair of columns (value, met) per database. */
function tableCells(report: RunReport, providers: string[]): string[][] {
  const volumes = report.results[0].volumes;
  const header = ['figure', 'target', ...report.results.flatMap((r) => [DATABASE_NAMES[r.database], 'met?'])];
  const body = rows(providers, volumes).map((row) => [row.figure, row.target, ...report.results.flatMap((r) => [row.cell(r) ?? 'not measured', metWord(row.met?.(r))])]);
  return [header, ...body];
}

export function textTable(report: RunReport, providers: string[]): string {
  const cells = tableCells(report, providers);
  const widths = cells[0].map((_, column) => Math.max(...cells.map((line) => line[column].length)));
  return cells
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** How many HTTP processes the gateway ran as: runs of one and of several are not compared unawares. */
function gatewayProcessesNote(report: RunReport): string {
  const processes = report.settings.gatewayProcesses ?? 1;
  return ` (GATEWAY_PROCESSES=${processes}: ${processes === 1 ? 'one process' : `${processes} HTTP processes and their primary`})`;
}

function markdown(report: RunReport, providers: string[]): string {
  const [header, ...body] = tableCells(report, providers);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const { machine: m } = report;
  const failures = report.results.flatMap((r) => r.failures.map((f) => `- ${DATABASE_NAMES[r.database]}, ${f.phase}: ${f.message.split('\n')[0]}`));
  return [
    `\`npm run bench\` on commit ${m.commit.slice(0, 12)}${m.commit.endsWith('+uncommitted') ? ' (with uncommitted changes)' : ''}, ${m.date.slice(0, 10)}: ${m.cpus} × ${m.cpuModel}, ${Math.round(m.totalMemoryMb / 1024)} GB, Node ${m.node}; compiled gateway${gatewayProcessesNote(report)} and worker as separate`,
    `processes (NODE_ENV=production, LOG_LEVEL=info), load generator, PostgreSQL and Redis on the same machine; ${Math.round(report.totalSeconds)} s in all.`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...body.map(line),
    ...(failures.length > 0 ? ['', 'Not measured:', ...failures] : []),
    '',
  ].join('\n');
}

export function writeReport(report: RunReport, providers: string[], directory: string): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(directory, 'latest.md'), markdown(report, providers));
}
