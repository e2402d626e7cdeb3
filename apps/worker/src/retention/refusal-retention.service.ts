import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { PeriodicTask } from '@kyc/platform';
import { InboundRefusalStore } from '@kyc/persistence';

const DAY_MS = 86_400_000;

/**
 * Deletes refused-request records older than REFUSAL_RETENTION_DAYS, hourly, in batches of 1000
 * (short writes), beside PayloadRetention and for the same reasons a plain timer: several workers
 * purging at once only repeat an idempotent delete.
 */
@Injectable()
export class RefusalRetention extends PeriodicTask {
  static readonly BATCH = 1_000;
  static readonly INTERVAL_MS = 3_600_000;
  private readonly logger = new Logger(RefusalRetention.name);

  constructor(
    private readonly config: AppConfig,
    private readonly refusals: InboundRefusalStore,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return RefusalRetention.INTERVAL_MS;
  }

  /** First pass a minute after boot (not during it), then hourly. */
  protected override get firstDelayMs(): number {
    return 60_000;
  }

  protected scheduledPass(): Promise<number> {
    return this.purge(this.cutoff(Date.now()));
  }

  /** One pass over everything due; returns how many records were deleted. Joins a pass already running. */
  purgeOnce(now = Date.now()): Promise<number> {
    return this.exclusive(() => this.purge(this.cutoff(now)));
  }

  private cutoff(now: number): Date {
    return new Date(now - this.config.env.REFUSAL_RETENTION_DAYS * DAY_MS);
  }

  private async purge(before: Date): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const purged = await this.refusals.purgeBefore(before, RefusalRetention.BATCH);
        total += purged;
        if (purged < RefusalRetention.BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`refusal retention pass stopped after ${total}: ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(`deleted ${total} refusal record(s) received before ${before.toISOString()}`);
    return total;
  }
}
