import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '@kyc/config';
import { WebhookRejection } from '@kyc/core';
import { InboundRefusal, InboundRefusalStore } from '@kyc/persistence';
import { DEFAULT_REFUSAL_COUNTER_OPTIONS, RefusalCounter, RefusalMinuteSummary } from './refusal-counter';

/** What the ingress knew about a refused request. */
export interface RefusalContext {
  provider?: string;
  connection?: string;
  size: number;
  sourceIp?: string;
  receivedAt: Date;
  requestId?: string;
}

/**
 * Logs and records refused webhooks without letting a flood of them cost a database write or a
 * log line each:
 * - recording: refusals alike (same source, route, status, reason and detail) are added up in
 *   memory and written every FLUSH_INTERVAL_MS as one multi-row INSERT, one row per kind with its
 *   `count`. At most MAX_PENDING kinds wait between writes; refusals of new kinds beyond that are
 *   only counted, and the count is logged. Best effort: a failed write loses that second's
 *   records (logged), it never fails or delays the answer.
 * - logging: each minute, the first refusals of each source (and of all sources together) get a
 *   WARN line of their own; the rest are summed up in one line when the minute ends, naming the
 *   sources that went over the limit. A source crossing the limit gets one line as it happens.
 * - limiting: a source refused more than INGRESS_REFUSALS_PER_MINUTE times in the current minute
 *   is `throttled` (the ingress answers 429 before reading its body).
 */
@Injectable()
export class RefusalRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  static readonly FLUSH_INTERVAL_MS = 1_000;
  static readonly MAX_PENDING = 1_000;
  private readonly logger = new Logger('Ingress');
  private readonly counter: RefusalCounter;
  private pending = new Map<string, InboundRefusal>();
  private dropped = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    config: AppConfig,
    private readonly store: InboundRefusalStore,
  ) {
    this.counter = new RefusalCounter({ ...DEFAULT_REFUSAL_COUNTER_OPTIONS, limitPerMinute: config.env.INGRESS_REFUSALS_PER_MINUTE });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.logSummary(this.counter.rollOver(Date.now()));
      void this.flush();
    }, RefusalRecorder.FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Before the database closes: write what is pending (the timer goes on while requests drain). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Last chance for refusals of the drained requests; best effort, the database may be closing. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.pending.size > 0) await this.flush();
  }

  /** Whether this source has been refused too often this minute (answer 429 without reading the body). */
  throttled(sourceIp: string | undefined, now: number): boolean {
    return this.counter.isThrottled(sourceIp, now);
  }

  /** Log (sampled) and record (aggregated) one refusal. Never throws. */
  refused(rejection: WebhookRejection, context: RefusalContext): void {
    const { log, throttledNow, summary } = this.counter.count(context.sourceIp, context.receivedAt.getTime());
    this.logSummary(summary);
    const where = [context.provider, context.connection].filter(Boolean).join('/') || 'unknown';
    if (log) this.logger.warn({ reqId: context.requestId, msg: `refused ${where} ${rejection.status} ${rejection.reason}: ${rejection.detail} (from ${context.sourceIp}, ${context.size} bytes)` });
    if (throttledNow) this.logger.warn({ reqId: context.requestId, msg: `source ${context.sourceIp} was refused more than ${this.limit()} times this minute: answering 429 until the minute ends` });
    this.aggregate({
      id: '',
      // Route segments are the sender's choice: a NUL (`/webhooks/%00`) would make PostgreSQL refuse the row.
      provider: storableText(context.provider, 40),
      connection: storableText(context.connection, 100),
      statusCode: rejection.status,
      reason: rejection.reason,
      detail: storableText(rejection.detail, 300)!,
      sourceIp: context.sourceIp?.slice(0, 64) ?? null,
      sizeBytes: context.size,
      receivedAt: context.receivedAt,
      count: 1,
    });
  }

  /** Write every record pending at the call (tests; shutdown); never throws. One write at a time. */
  async flush(): Promise<void> {
    await this.flushing;
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private aggregate(refusal: InboundRefusal): void {
    const key = JSON.stringify([refusal.sourceIp, refusal.provider, refusal.connection, refusal.statusCode, refusal.reason, refusal.detail]);
    const same = this.pending.get(key);
    if (same) {
      same.count++;
      same.sizeBytes = Math.max(same.sizeBytes, refusal.sizeBytes);
    } else if (this.pending.size < RefusalRecorder.MAX_PENDING) {
      this.pending.set(key, { ...refusal, id: uuidv7({ msecs: refusal.receivedAt.getTime() }) });
    } else {
      this.dropped++;
    }
  }

  private async write(): Promise<void> {
    const batch = [...this.pending.values()];
    const dropped = this.dropped;
    this.pending = new Map();
    this.dropped = 0;
    if (dropped > 0) this.logger.warn(`${dropped} refusal(s) of new kinds were not recorded: more than ${RefusalRecorder.MAX_PENDING} kinds within ${RefusalRecorder.FLUSH_INTERVAL_MS} ms`);
    try {
      await this.store.recordMany(batch);
    } catch (error) {
      this.logger.warn(`could not record ${batch.length} refusal record(s): ${(error as Error).message}`);
    }
  }

  private logSummary(summary: RefusalMinuteSummary | undefined): void {
    if (!summary) return;
    const throttled = summary.throttled.map(({ source, refused }) => `${source} (${refused})`).join(', ');
    this.logger.warn(
      `${summary.unlogged} of ${summary.refused} refusal(s) in the minute from ${summary.minute.toISOString()} were not logged one by one` +
        (throttled ? `; sources over ${this.limit()} refusals a minute: ${throttled}` : ''),
    );
  }

  private limit(): number {
    return this.counter.limitPerMinute;
  }
}

function storableText(value: string | undefined, maxLength: number): string | null {
  return value === undefined ? null : value.replaceAll('\u0000', '\ufffd').slice(0, maxLength);
}
