import { Logger } from '@nestjs/common';
import { PeriodicTask } from '@kyc/platform';

const DAY_MS = 86_400_000;

/**
 * Deletes or clears rows older than a retention period, hourly, in batches of 1000 (short writes
 * that never lock a table for long). A plain timer rather than a BullMQ repeatable job: it needs
 * no Redis, and several workers purging at once only repeat an idempotent write.
 */
export abstract class RetentionTask extends PeriodicTask {
  static readonly BATCH = 1_000;
  static readonly INTERVAL_MS = 3_600_000;
  protected abstract readonly logger: Logger;

  /** How long rows are kept. */
  protected abstract get retentionDays(): number;

  /** Purge one batch of at most `batchSize` rows older than `before`; returns how many. */
  protected abstract purgeBatch(before: Date, batchSize: number): Promise<number>;

  /** The log line of a pass that purged `count` rows older than `before`. */
  protected abstract describe(count: number, before: Date): string;

  protected get intervalMs(): number {
    return RetentionTask.INTERVAL_MS;
  }

  /** First pass a minute after boot (not during it), then hourly. */
  protected override get firstDelayMs(): number {
    return 60_000;
  }

  protected scheduledPass(): Promise<number> {
    return this.purge(this.cutoff(Date.now()));
  }

  /** One pass over everything due; returns how many rows were purged. Joins a pass already running. */
  purgeOnce(now = Date.now()): Promise<number> {
    return this.exclusive(() => this.purge(this.cutoff(now)));
  }

  private cutoff(now: number): Date {
    return new Date(now - this.retentionDays * DAY_MS);
  }

  private async purge(before: Date): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const purged = await this.purgeBatch(before, RetentionTask.BATCH);
        total += purged;
        if (purged < RetentionTask.BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`retention pass stopped after ${total}: ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(this.describe(total, before));
    return total;
  }
}
