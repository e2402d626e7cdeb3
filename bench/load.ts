/**
 * Load generation: correctly signed/encrypted requests built before a run (so autocannon spends
 * its CPU on sending), handed out one by one through `setupRequest`.
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { ConnectionCredentials, ProviderAdapter, SimulatedRequest } from '@kyc/providers';

/** Pre-built requests handed out in order, wrapping around (and counting the reuse) if exhausted. */
export class RequestPool {
  private handed = 0;

  constructor(
    readonly requests: readonly SimulatedRequest[],
    /** Told which request was just handed out (index into `requests`). */
    private readonly onHandOut: (index: number) => void = () => undefined,
  ) {}

  static build(adapter: ProviderAdapter, credentials: ConnectionCredentials, count: number, onHandOut?: (index: number) => void): RequestPool {
    const { sampleEventType } = adapter.simulator;
    return new RequestPool(
      Array.from({ length: count }, () => adapter.simulator.build(sampleEventType, credentials)),
      onHandOut,
    );
  }

  take(): SimulatedRequest {
    const index = this.handed++ % this.requests.length;
    this.onHandOut(index);
    return this.requests[index];
  }

  /** Requests handed to autocannon, each written to a socket (its own count is approximate under a rate). */
  get handedOut(): number {
    return this.handed;
  }

  /** Requests sent with a body already sent before in this run. */
  get reused(): number {
    return Math.max(0, this.handed - this.requests.length);
  }
}

export interface LoadOptions {
  url: string;
  pool: RequestPool;
  connections: number;
  /** Exactly one of duration (s) and amount (requests). */
  duration?: number;
  amount?: number;
  /** The run is stopped and counted as failed after this long. */
  capMs: number;
}

/** What the tables report of one autocannon run. */
export interface LoadFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p99_9: number; max: number };
  /** Requests written; `total` counts those answered in time. */
  sent: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  uniqueBodies: number;
  reusedBodies: number;
}

export function fire(options: LoadOptions): Promise<LoadFigures> {
  const { url, pool, connections, duration, amount, capMs } = options;
  return new Promise((resolve, reject) => {
    let capped = false;
    const instance = autocannon(
      {
        url,
        connections,
        ...(amount === undefined ? { duration } : { amount }),
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const { headers, body } = pool.take();
              return { ...request, headers, body };
            },
          },
        ],
      },
      (error, result) => {
        clearTimeout(timer);
        if (error) return reject(error as Error);
        if (capped) return reject(new Error(`load on ${url} still running after ${Math.round(capMs / 1000)} s (${pool.handedOut} sent), stopped`));
        resolve(figures(result, pool));
      },
    );
    const timer = setTimeout(() => {
      capped = true;
      instance.stop();
    }, capMs);
  });
}

function figures(result: autocannon.Result, pool: RequestPool): LoadFigures {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, p99_9: result.latency.p99_9, max: result.latency.max },
    sent: pool.handedOut,
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    uniqueBodies: pool.requests.length,
    reusedBodies: pool.reused,
  };
}

export interface PacedOptions {
  url: string;
  requests: readonly SimulatedRequest[];
  /** Requests per second, evenly spaced (one every 1000 / rate ms), as wrk2 paces. */
  rate: number;
  /** Keep-alive sockets at most: a request finding all busy waits for one (its wait counts). */
  connections: number;
  /** Told each request's index and its scheduled send time, before it is sent. */
  onScheduled: (index: number, scheduledAt: number) => void;
  capMs: number;
}

export interface PacedFigures {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Acknowledgement latency from each request's scheduled time. */
  latencyMs: { p50: number; p99: number; max: number };
  /** How late the sender itself wrote requests after their scheduled time (its own lag, for the record). */
  sendLagMs: { p99: number; max: number };
}

/**
 * Open-loop load at a truly fixed rate. autocannon's `overallRate` is a per-second quota per
 * connection: each second starts with the whole quota sent as fast as the server answers, then
 * silence, so "500/s" arrives as bursts at full ingest speed. Here request i is due at
 * start + i × 1000 / rate and its latencies are taken from that instant, so a slow server (or a
 * late sender) cannot hide waits (no coordinated omission).
 */
export function firePaced(options: PacedOptions): Promise<PacedFigures> {
  const { url, requests, rate, connections, onScheduled, capMs } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  const lags: number[] = [];
  const figures = { sent: 0, ok: 0, non2xx: 0, errors: 0 };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answered = 0;
    const cap = setTimeout(() => finish(new Error(`paced load on ${url} still running after ${Math.round(capMs / 1000)} s (${answered} of ${requests.length} answered), stopped`)), capMs);
    const finish = (error?: Error) => {
      clearTimeout(cap);
      clearTimeout(timer);
      agent.destroy();
      if (error) return reject(error);
      const sorted = [...latencies].sort((a, b) => a - b);
      const sortedLags = [...lags].sort((a, b) => a - b);
      resolve({
        ...figures,
        latencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 },
        sendLagMs: { p99: percentile(sortedLags, 0.99), max: sortedLags.at(-1) ?? 0 },
      });
    };
    const send = (index: number, scheduledAt: number) => {
      const { headers, body } = requests[index];
      onScheduled(index, scheduledAt);
      lags.push(performance.now() - scheduledAt);
      figures.sent += 1;
      const request = httpRequest(target, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - scheduledAt);
          if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300) figures.ok += 1;
          else figures.non2xx += 1;
          if (++answered === requests.length) finish();
        });
      });
      request.on('error', () => {
        figures.errors += 1;
        if (++answered === requests.length) finish();
      });
      request.end(body);
    };
    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      const now = performance.now();
      while (next < requests.length && started + next * intervalMs <= now) {
        send(next, started + next * intervalMs);
        next += 1;
      }
      if (next < requests.length) timer = setTimeout(tick, Math.max(0, started + next * intervalMs - performance.now()));
    };
    tick();
  });
}

/** The q-quantile of ascending `sorted` (nearest rank). */
export const percentile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
