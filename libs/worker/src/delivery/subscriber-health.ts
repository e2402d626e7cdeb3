import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { Subscriber, SubscriberStore } from '@kyc/persistence';
import { SubscriberCache } from '../subscribers/subscriber.cache';
import { healthAfterAttempt } from './after-attempt';
import type { AttemptOutcome } from './delivery-channel';

/**
 * Etiquette toward HTTP subscribers, after each recorded attempt: keep the failure streak, disable
 * a subscriber that answers 410 Gone, and pause one that has failed every attempt for
 * SUBSCRIBER_AUTO_PAUSE_AFTER_MS, saying why (an operator enables it again through the admin API).
 * Queue subscribers are left alone: their failures are our Redis, not the subscriber.
 *
 * Cheap on the hot path: a success writes nothing unless the subscriber was failing (known from
 * the cached subscriber), a failure is one small UPDATE, disabling is rare.
 */
@Injectable()
export class SubscriberHealth {
  private readonly logger = new Logger(SubscriberHealth.name);

  constructor(
    private readonly store: SubscriberStore,
    private readonly cache: SubscriberCache,
    private readonly config: AppConfig,
  ) {}

  async afterAttempt(subscriber: Subscriber, outcome: AttemptOutcome, attemptedAt: Date): Promise<void> {
    const change = healthAfterAttempt(subscriber, outcome, attemptedAt, this.config.env.SUBSCRIBER_AUTO_PAUSE_AFTER_MS);
    if (change.kind === 'unchanged') return;
    if (change.kind === 'recovered') {
      await this.store.recordRecovery(subscriber.id);
      this.cache.patch(subscriber.id, { failingSince: null });
      return;
    }
    await this.store.recordFailure(subscriber.id, attemptedAt);
    this.cache.patch(subscriber.id, { failingSince: change.failingSince });

    if (change.kind === 'gone') return this.disable(subscriber, change.reason);
    if (change.kind !== 'pause-due') return;
    // The cache said so; the database has the exact streak (and may know it recovered meanwhile).
    const reason = await this.store.pauseIfFailingSince(subscriber.id, change.failingBefore);
    if (reason) this.disabled(subscriber, reason);
  }

  private async disable(subscriber: Subscriber, reason: string): Promise<void> {
    // False: disabled already (by another worker's attempt); its first reason stays.
    if (await this.store.disable(subscriber.id, reason)) this.disabled(subscriber, reason);
    else this.cache.patch(subscriber.id, { enabled: false });
  }

  private disabled(subscriber: Subscriber, reason: string): void {
    this.logger.warn(`subscriber ${subscriber.name} disabled: ${reason}; its deliveries wait until it is enabled again`);
    this.cache.patch(subscriber.id, { enabled: false, disabledReason: reason, disabledAt: new Date().toISOString() });
  }
}
