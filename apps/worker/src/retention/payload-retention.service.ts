import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { MetricsService } from '@kyc/observability';
import { PeriodicTask } from '@kyc/platform';
import { RetentionQueries } from '@kyc/persistence';

const DAY_MS = 86_400_000;

/**
 * Purges decoded vendor payloads older than PAYLOAD_RETENTION_DAYS, hourly, in batches of 1000
 * (short writes that never lock the table for long). Events and delivery history stay. A plain
 * timer rather than a BullMQ repeatable job: it needs no Redis, and several workers purging at
 * once only repeat an idempotent update.
 */
@Injectable()
export class PayloadRetention extends PeriodicTask {
  static readonly BATCH = 1_000;
  static readonly INTERVAL_MS = 3_600_000;
  private readonly logger = new Logger(PayloadRetention.name);

  constructor(
    private readonly config: AppConfig,
    private readonly queries: RetentionQueries,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return PayloadRetention.INTERVAL_MS;
  }

  /** First pass a minute after boot (not during it), then hourly. */
  protected override get firstDelayMs(): number {
    return 60_000;
  }

  protected scheduledPass(): Promise<number> {
    return this.purge(this.cutoff(Date.now()));
  }

  /** One pass over everything due; returns how many payloads were purged. Skips if a pass is running. */
  purgeOnce(now = Date.now()): Promise<number> {
    return this.exclusive(() => this.purge(this.cutoff(now)));
  }

  private cutoff(now: number): Date {
    return new Date(now - this.config.env.PAYLOAD_RETENTION_DAYS * DAY_MS);
  }

  private async purge(before: Date): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const purged = await this.queries.purgePayloadsBefore(before, PayloadRetention.BATCH);
        total += purged;
        this.metrics.payloadsPurgedCount(purged);
        if (purged < PayloadRetention.BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`payload retention pass stopped after ${total}: ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(`purged the decoded payloads of ${total} event(s) received before ${before.toISOString()}`);
    return total;
  }
}
