import { Injectable, Logger } from '@nestjs/common';
import { PeriodicTask } from '@kyc/platform';
import { EventStore, VerificationLedger } from '@kyc/persistence';

/**
 * Builds the verifications of events stored before the verification state existed (migration
 * Verifications1764374400000), once, in vendor-time order: the events that were already
 * dispatched and so never passed through the dispatcher's ledger. Soon after boot, then hourly
 * in case a pass stopped (database outage); once done, a pass is one indexed query that finds
 * nothing. Several workers may run it at once: the ledger never applies an event twice.
 */
@Injectable()
export class VerificationBackfill extends PeriodicTask {
  static readonly BATCH = 500;
  private readonly logger = new Logger(VerificationBackfill.name);

  constructor(
    private readonly events: EventStore,
    private readonly ledger: VerificationLedger,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return 3_600_000;
  }

  protected override get firstDelayMs(): number {
    return 2_000;
  }

  protected scheduledPass(): Promise<number> {
    return this.backfill();
  }

  /** One pass over every event still without a verification; returns how many were applied. */
  backfillOnce(): Promise<number> {
    return this.exclusive(() => this.backfill());
  }

  private async backfill(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const events = await this.events.findDispatchedUnapplied(VerificationBackfill.BATCH);
        if (events.length === 0) break;
        await this.ledger.apply(events);
        total += events.length;
      }
    } catch (error) {
      this.logger.warn(`verification backfill stopped after ${total} event(s): ${(error as Error).message}`);
    }
    if (total > 0) this.logger.log(`built the verifications of ${total} event(s) stored before the verification state`);
    return total;
  }
}
