import { request as httpRequest } from 'node:http';
import { Agent, request } from 'undici';
import type { ConnectionCredentials, ProviderAdapter, SimulatedRequest } from '@kyc/providers';
import { sleep } from './processes';

export interface Vendor {
  adapter: ProviderAdapter;
  credentials: ConnectionCredentials;
}

/** One HTTP request of a webhook (the first try, a retry, or a vendor's redelivery). */
export interface Attempt {
  at: number;
  target: string;
  ms: number;
  status?: number;
  /** Connection error, timeout... (no HTTP answer). */
  error?: string;
  eventId?: string;
  duplicate?: boolean;
  redelivery: boolean;
}

/** One vendor event and everything that happened to it. */
export interface WebhookRecord {
  index: number;
  provider: string;
  vendorType: string;
  path: string;
  request: SimulatedRequest;
  attempts: Attempt[];
  /** eventId of the first 200. */
  eventId?: string;
  /** Every 200 of this webhook named the same eventId. */
  consistent: boolean;
}

export interface Target {
  name: string;
  url: string;
}

export interface LoadOptions {
  total: number;
  ratePerSecond: number;
  concurrency: number;
  /** Tries per delivery of a webhook (the first one included), like a vendor's retry policy. */
  maxTries: number;
  retryDelayMs: number;
  /** Share of webhooks the vendor sends a second time a few seconds after their 200. */
  redeliveryShare: number;
  timeoutMs: number;
}

/**
 * Sends `total` webhooks of every vendor at a steady rate with bounded concurrency, alternating
 * between the routable gateways; retries a request that got no 200 the way a vendor would, and
 * records every (request → answer) pair.
 */
export class LoadGenerator {
  readonly webhooks: WebhookRecord[] = [];
  private readonly agents = new Map<string, Agent>();
  private routable: Target[];
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();
  private seq = 0;
  private stopped = false;
  /** Requests currently open, per target (to know what was in flight at a SIGTERM). */
  readonly open = new Map<string, Set<Attempt>>();

  constructor(
    private readonly vendors: Vendor[],
    targets: Target[],
    private readonly options: LoadOptions,
  ) {
    this.routable = [...targets];
    for (const target of targets) this.agents.set(target.name, new Agent({ connections: 64, keepAliveTimeout: 4_000 }));
  }

  /** Send new requests (first tries and retries) only to these gateways, as a load balancer would. */
  route(targets: Target[]): void {
    this.routable = [...targets];
    for (const target of targets) if (!this.agents.has(target.name)) this.agents.set(target.name, new Agent({ connections: 64, keepAliveTimeout: 4_000 }));
  }

  /** Distinct webhooks sent so far (redeliveries and retries not counted). */
  get sent(): number {
    return this.webhooks.length;
  }

  async run(): Promise<void> {
    const started = Date.now();
    const interval = 1000 / this.options.ratePerSecond;
    for (let index = 0; index < this.options.total && !this.stopped; index++) {
      const due = started + index * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      await this.acquire();
      const record = this.build();
      this.webhooks.push(record);
      this.track(this.deliver(record, false).finally(() => this.release()));
      if (Math.random() < this.options.redeliveryShare) {
        this.track(sleep(3_000 + Math.random() * 4_000).then(() => this.deliver(record, true)));
      }
    }
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** A burst of `count` new webhooks to one gateway, now (to have requests in flight at a SIGTERM). */
  burst(target: Target, count: number): WebhookRecord[] {
    const records: WebhookRecord[] = [];
    for (let i = 0; i < count; i++) {
      const record = this.build();
      this.webhooks.push(record);
      records.push(record);
      this.track(this.deliver(record, false, target));
    }
    return records;
  }

  /**
   * A webhook whose request is held open on its own connection: the headers and half the body now,
   * the rest on `finish()` (a request certainly in flight at the gateway while it shuts down). A
   * request that gets no 200 is retried as usual, to the routable gateways.
   */
  held(target: Target): { record: WebhookRecord; attempt: Attempt; finish(): void; answered: Promise<void> } {
    const record = this.build();
    this.webhooks.push(record);
    const attempt: Attempt = { at: Date.now(), target: target.name, ms: 0, redelivery: false };
    record.attempts.push(attempt);
    const body = Buffer.from(record.request.body, 'utf8');
    const half = Math.floor(body.length / 2);
    const started = performance.now();
    const outgoing = httpRequest(`${target.url}${record.path}`, {
      method: 'POST',
      agent: false,
      headers: { ...record.request.headers, 'content-length': String(body.length) },
    });
    const answered = new Promise<void>((resolve) => {
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          attempt.status = response.statusCode;
          if (response.statusCode === 200) {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId?: string; duplicate?: boolean };
            attempt.eventId = answer.eventId;
            attempt.duplicate = answer.duplicate;
            record.eventId = answer.eventId;
          }
          resolve();
        });
      });
      outgoing.on('error', (error: Error & { code?: string }) => {
        attempt.error = error.code ?? error.name;
        resolve();
      });
    }).then(() => {
      attempt.ms = performance.now() - started;
      if (attempt.status !== 200) this.track(sleep(this.options.retryDelayMs).then(() => this.deliver(record, false)));
    });
    outgoing.flushHeaders();
    outgoing.write(body.subarray(0, half));
    this.track(answered);
    return { record, attempt, finish: () => outgoing.end(body.subarray(half)), answered };
  }

  stop(): void {
    this.stopped = true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close().catch(() => undefined)));
  }

  private track(promise: Promise<void>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private build(): WebhookRecord {
    const index = this.seq++;
    const vendor = this.vendors[index % this.vendors.length];
    const types = vendor.adapter.simulator.eventTypes;
    const vendorType = types[Math.floor(Math.random() * types.length)];
    const routes = ['/webhooks', `/webhooks/${vendor.adapter.name}`, `/webhooks/${vendor.adapter.name}/default`];
    return {
      index,
      provider: vendor.adapter.name,
      vendorType,
      path: routes[Math.floor(index / this.vendors.length) % routes.length],
      request: vendor.adapter.simulator.build(vendorType, vendor.credentials),
      attempts: [],
      consistent: true,
    };
  }

  /** One delivery of a webhook by the vendor: the first try and its retries until a 200. */
  private async deliver(record: WebhookRecord, redelivery: boolean, pinned?: Target): Promise<void> {
    for (let tryNumber = 1; tryNumber <= this.options.maxTries; tryNumber++) {
      const target = tryNumber === 1 && pinned ? pinned : this.pick(record.index + tryNumber);
      const attempt = await this.send(record, target, redelivery);
      if (attempt.status === 200) return;
      if (tryNumber < this.options.maxTries) await sleep(this.options.retryDelayMs * tryNumber * (0.5 + Math.random()));
    }
  }

  private pick(seed: number): Target {
    return this.routable[seed % this.routable.length];
  }

  private async send(record: WebhookRecord, target: Target, redelivery: boolean): Promise<Attempt> {
    const attempt: Attempt = { at: Date.now(), target: target.name, ms: 0, redelivery };
    record.attempts.push(attempt);
    const open = this.open.get(target.name) ?? new Set<Attempt>();
    this.open.set(target.name, open);
    open.add(attempt);
    const started = performance.now();
    try {
      const response = await request(`${target.url}${record.path}`, {
        method: 'POST',
        headers: record.request.headers,
        body: record.request.body,
        dispatcher: this.agents.get(target.name),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const text = await response.body.text();
      attempt.status = response.statusCode;
      if (response.statusCode === 200) {
        const body = JSON.parse(text) as { eventId?: string; duplicate?: boolean };
        attempt.eventId = body.eventId;
        attempt.duplicate = body.duplicate;
        if (record.eventId === undefined) record.eventId = body.eventId;
        else if (record.eventId !== body.eventId) record.consistent = false;
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      attempt.error = code ?? (error as Error).name ?? 'error';
    } finally {
      attempt.ms = performance.now() - started;
      open.delete(attempt);
    }
    return attempt;
  }

  private async acquire(): Promise<void> {
    while (this.inFlight >= this.options.concurrency) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }
}
