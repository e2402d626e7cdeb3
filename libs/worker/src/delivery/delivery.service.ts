import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { MetricsService } from '@kyc/observability';
import { DeliveryEntity, DeliveryStore, EventStore, Subscriber } from '@kyc/persistence';
import { DeliveryScheduler, type DeliveryJob } from '@kyc/queue';
import { SubscriberCache } from '../subscribers/subscriber.cache';
import { decideAfterAttempt } from './after-attempt';
import type { AttemptOutcome, DeliveryChannel } from './delivery-channel';
import { HttpChannel } from './http.channel';
import { QueueChannel } from './queue.channel';
import { SubscriberHealth } from './subscriber-health';

/** One attempt of one delivery: send, record, and decide what comes next (done, retry, dead letter). */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly channels: Record<Subscriber['kind'], DeliveryChannel>;

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly events: EventStore,
    private readonly subscribers: SubscriberCache,
    private readonly scheduler: DeliveryScheduler,
    private readonly metrics: MetricsService,
    private readonly health: SubscriberHealth,
    private readonly config: AppConfig,
    queueChannel: QueueChannel,
    httpChannel: HttpChannel,
  ) {
    this.channels = { queue: queueChannel, http: httpChannel };
  }

  async attempt(job: DeliveryJob): Promise<void> {
    const delivery = await this.deliveries.findById(job.deliveryId);
    // A job for an attempt that is no longer current (done, replayed, or made by another worker) is stale.
    if (!delivery || delivery.status !== 'pending' || delivery.attempts !== job.attempts || delivery.replays !== job.replays) return;
    const subscriber = await this.subscribers.get(delivery.subscriberId);
    if (!subscriber) return this.deliveries.abandon(delivery, 'subscriber deleted');
    // Disabled: the delivery waits (still pending, still due) and resumes when it is enabled again.
    if (!subscriber.enabled) return;
    const event = await this.events.findById(delivery.eventId);
    if (!event) return this.deliveries.abandon(delivery, 'event not found');

    const attemptedAt = new Date();
    const started = performance.now();
    const outcome = await this.channels[subscriber.kind].deliver(subscriber, event, delivery).catch((error: Error): AttemptOutcome => ({ ok: false, error: describe(error) }));
    const durationMs = performance.now() - started;
    await this.record(delivery, subscriber, outcome, attemptedAt, durationMs);
  }

  private async record(delivery: DeliveryEntity, subscriber: Subscriber, outcome: AttemptOutcome, attemptedAt: Date, durationMs: number): Promise<void> {
    const attemptNumber = delivery.attempts + 1;
    const decision = decideAfterAttempt(outcome, attemptNumber, { retry: subscriber.retry, maxRetryAfterMs: this.config.env.SUBSCRIBER_MAX_RETRY_AFTER_SECONDS * 1_000 });
    const status = decision.kind === 'succeeded' || decision.kind === 'failed' ? decision.kind : 'pending';
    const nextAttemptAt = 'at' in decision ? decision.at : null;
    const won = await this.deliveries.recordAttempt(
      delivery,
      { outcome: outcome.ok ? 'succeeded' : 'failed', httpStatus: outcome.httpStatus ?? null, error: outcome.error ?? null, durationMs, attemptedAt },
      { status, nextAttemptAt },
    );
    if (!won) return;
    this.metrics.deliveryAttempted(subscriber.name, subscriber.kind, status === 'pending' ? 'retrying' : status, durationMs / 1000);
    if (status === 'failed') this.logger.warn(`delivery ${delivery.id} to ${subscriber.name} failed after ${attemptNumber} attempt(s): ${outcome.error ?? 'unknown error'}`);
    if (decision.kind === 'retry') {
      await this.scheduler.schedule([{ id: delivery.id, replays: delivery.replays, attempts: attemptNumber, nextAttemptAt: decision.at }]);
    }
    // The attempt and its successor are safe; a failure to keep the streak must not undo that.
    const givenUp = status === 'failed' ? { delivery, attempts: attemptNumber } : undefined;
    await this.health.afterAttempt(subscriber, outcome, attemptedAt, givenUp).catch((error: Error) => this.logger.warn(`could not update the health of ${subscriber.name}: ${error.message}`));
  }
}

/** Error text for the attempt log: the cause, never a stack or a payload. */
function describe(error: Error): string {
  const code = (error as { code?: string }).code ?? (error.cause as { code?: string } | undefined)?.code;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
  return (code ? `${code}: ` : '') + error.message.slice(0, 300);
}
