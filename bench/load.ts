/**
 * Load generation: correctly signed/encrypted requests built before a run (so autocannon spends
 * its CPU on sending), handed out one by one through `setupRequest`.
 */
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
  /** Requests per second over all connections (open-loop pacing). */
  overallRate?: number;
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
  const { url, pool, connections, duration, amount, overallRate, capMs } = options;
  return new Promise((resolve, reject) => {
    let capped = false;
    const instance = autocannon(
      {
        url,
        connections,
        ...(amount === undefined ? { duration } : { amount }),
        ...(overallRate === undefined ? {} : { overallRate }),
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
