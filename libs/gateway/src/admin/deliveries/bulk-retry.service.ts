import { Injectable, Logger } from '@nestjs/common';
import { DeliverySearch, DeliveryStore } from '@kyc/persistence';
import { ReplayService, ReplayTargetNotFoundError } from '@kyc/queue';

/** Deliveries restarted per database read; also the largest set restarted before answering. */
export const RETRY_BATCH = 500;

/**
 * Retry every delivery matching a filter (e.g. all failed deliveries of a subscriber, or all of a
 * time range after Redis lost its data). The set is the one matching when asked; it is walked
 * oldest first, so subscribers get older events first, one delivery at a time through
 * ReplayService (a new round, rescheduled by DeliveryScheduler).
 */
@Injectable()
export class BulkRetryService {
  private readonly logger = new Logger(BulkRetryService.name);

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly replay: ReplayService,
  ) {}

  /**
   * Returns how many deliveries match. A small set is restarted before returning; a larger one
   * continues in the background, so the HTTP request does not wait for it (failures are logged).
   */
  async retryMatching(filter: DeliverySearch): Promise<number> {
    // The newest match bounds the set: deliveries created from now on have greater ids (UUIDv7).
    const [newest] = await this.deliveries.search(filter, 1);
    if (!newest) return 0;
    const set = { ...filter, upToId: newest.id };
    const total = await this.deliveries.countMatching(set);
    const run = this.restartAll(set, total);
    // A larger set goes on in the background after the answer (restartAll never rejects).
    if (total <= RETRY_BATCH) await run;
    return total;
  }

  /** Never rejects: it may run after the request has been answered. */
  private async restartAll(set: DeliverySearch, total: number): Promise<void> {
    let restarted = 0;
    let after: string | undefined;
    try {
      for (;;) {
        const ids = await this.deliveries.idsOldestFirst(set, RETRY_BATCH, after);
        for (const id of ids) {
          if (await this.replay.retryDelivery(id).then(() => true, skipDeleted)) restarted++;
        }
        if (ids.length < RETRY_BATCH) break;
        after = ids[ids.length - 1];
      }
      if (total > RETRY_BATCH) this.logger.log(`bulk retry: restarted ${restarted} of ${total} deliveries`);
    } catch (error) {
      // Those restarted stay restarted; asking again restarts the rest (and those again).
      this.logger.error(`bulk retry stopped after ${restarted} of ${total} deliveries: ${(error as Error).message}`);
    }
  }
}

/** A delivery deleted since it was counted is simply skipped. */
function skipDeleted(error: unknown): false {
  if (error instanceof ReplayTargetNotFoundError) return false;
  throw error;
}
