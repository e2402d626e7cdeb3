import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { Subscriber, SubscriberStore } from '@kyc/persistence';
import { SubscriberCache } from '../subscribers/subscriber-cache.service';
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
    if (subscriber.kind !== 'http') return;
    if (outcome.ok) {
      if (subscriber.failingSince === null) return;
      await this.store.recordRecovery(subscriber.id);
      this.cache.patch(subscriber.id, { failingSince: null });
      return;
    }
    await this.store.recordFailure(subscriber.id, attemptedAt);
    const failingSince = subscriber.failingSince ?? attemptedAt.toISOString();
    this.cache.patch(subscriber.id, { failingSince });

    if (isGone(outcome)) return this.disable(subscriber, `HTTP 410 from ${hostOf(subscriber.url)}`);
    const pauseAfterMs = this.config.env.SUBSCRIBER_AUTO_PAUSE_AFTER_MS;
    if (pauseAfterMs === 0 || Date.parse(failingSince) > attemptedAt.getTime() - pauseAfterMs) return;
    // The cache said so; the database has the exact streak (and may know it recovered meanwhile).
    const reason = await this.store.pauseIfFailingSince(subscriber.id, new Date(attemptedAt.getTime() - pauseAfterMs));
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

/** 410 Gone: the receiver says the endpoint is gone for good. */
export function isGone(outcome: AttemptOutcome): boolean {
  return !outcome.ok && outcome.httpStatus === 410;
}

function hostOf(url: string | undefined): string {
  try {
    return new URL(url ?? '').host;
  } catch {
    return 'the subscriber';
  }
}
