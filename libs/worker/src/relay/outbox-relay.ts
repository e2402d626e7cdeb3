import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { PeriodicTask } from '@kyc/platform';
import { MetricsService } from '@kyc/observability';
import { EventStore } from '@kyc/persistence';
import { EventPublisher } from '@kyc/queue';

/**
 * Transactional outbox relay: the ingress acknowledges once an event is stored and adds its job
 * best effort. Events still undispatched after RELAY_GRACE_MS (Redis was down, the process died
 * between the commit and the add) are added here, once the events queue has no job waiting.
 * Dispatching is idempotent, so several workers may relay at once.
 */
@Injectable()
export class OutboxRelay extends PeriodicTask {
  private static readonly BATCH = 500;
  private readonly logger = new Logger(OutboxRelay.name);

  constructor(
    private readonly config: AppConfig,
    private readonly events: EventStore,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.config.env.RELAY_INTERVAL_MS;
  }

  protected scheduledPass(): Promise<number> {
    return this.relay();
  }

  /** One pass; returns how many events were (re)queued. Skips if a pass is still running. */
  relayOnce(): Promise<number> {
    return this.exclusive(() => this.relay());
  }

  private async relay(): Promise<number> {
    let total = 0;
    try {
      // While dispatch jobs wait, an old undispatched event most likely has one among them: adding
      // it again would only duplicate the work of workers that are behind. Lost jobs are relayed
      // once the queue has caught up.
      if ((await this.publisher.waitingJobs()) > 0) return 0;
      for (;;) {
        const ids = await this.events.findUndispatched(new Date(Date.now() - this.config.env.RELAY_GRACE_MS), OutboxRelay.BATCH);
        if (ids.length === 0) break;
        await this.publisher.add(ids);
        total += ids.length;
        // Rows stay undispatched until the dispatcher runs: stop after one batch unless it was full.
        if (ids.length < OutboxRelay.BATCH || total >= OutboxRelay.BATCH * 20) break;
      }
    } catch (error) {
      this.logger.debug(`relay pass stopped: ${(error as Error).message}`);
    }
    this.metrics.eventsRelayed(total);
    if (total > 0) this.logger.log(`relayed ${total} stored event(s) to the queue`);
    return total;
  }
}
