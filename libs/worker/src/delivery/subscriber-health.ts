import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { GATEWAY_SOURCE } from '@kyc/core';
import { DeliveryEntity, Subscriber, SubscriberStore } from '@kyc/persistence';
import { OpsEvents } from '../ops/ops-events';
import { SubscriberCache } from '../subscribers/subscriber.cache';
import { healthAfterAttempt } from './after-attempt';
import type { AttemptOutcome } from './delivery-channel';

/**
 * Etiquette toward HTTP subscribers, after each recorded attempt: keep the failure streak, disable
 * a subscriber that answers 410 Gone, and pause one that has failed every attempt for
 * SUBSCRIBER_AUTO_PAUSE_AFTER_MS, saying why (an operator enables it again through the admin API).
 * Queue subscribers only keep their streak: their failures are our Redis, not the subscriber.
 * Operators hear of it: `ops.subscriber.paused` once per pause, `ops.subscriber.failing` at the
 * first delivery given up on in a failure streak (the streak's start names the episode).
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
    private readonly ops: OpsEvents,
  ) {}

  /** `givenUp`: the delivery was dead-lettered by this attempt. */
  async afterAttempt(subscriber: Subscriber, outcome: AttemptOutcome, attemptedAt: Date, givenUp?: { delivery: DeliveryEntity; attempts: number }): Promise<void> {
    await this.updateHealth(subscriber, outcome, attemptedAt);
    if (givenUp) await this.failing(subscriber, givenUp.delivery, givenUp.attempts, outcome);
  }

  private async updateHealth(subscriber: Subscriber, outcome: AttemptOutcome, attemptedAt: Date): Promise<void> {
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
    if (reason) await this.disabled(subscriber, reason);
  }

  private async disable(subscriber: Subscriber, reason: string): Promise<void> {
    // False: disabled already (by another worker's attempt); its first reason stays.
    if (await this.store.disable(subscriber.id, reason)) await this.disabled(subscriber, reason);
    else this.cache.patch(subscriber.id, { enabled: false });
  }

  private async disabled(subscriber: Subscriber, reason: string): Promise<void> {
    this.logger.warn(`subscriber ${subscriber.name} disabled: ${reason}; its deliveries wait until it is enabled again`);
    const disabledAt = new Date();
    this.cache.patch(subscriber.id, { enabled: false, disabledReason: reason, disabledAt: disabledAt.toISOString() });
    // Only the worker whose statement disabled it gets here: one event per pause.
    await this.ops.raise('ops.subscriber.paused', GATEWAY, `${subscriber.id}:${disabledAt.getTime()}`, { subscriberId: subscriber.id, subscriberName: subscriber.name, reason });
  }

  /** The streak as stored names the episode: every worker that gives up on a delivery in it agrees. */
  private async failing(subscriber: Subscriber, delivery: DeliveryEntity, attempts: number, outcome: AttemptOutcome): Promise<void> {
    const since = (await this.store.failingSince(subscriber.id)) ?? new Date();
    await this.ops.raise('ops.subscriber.failing', GATEWAY, `${subscriber.id}:${since.getTime()}`, {
      subscriberId: subscriber.id,
      subscriberName: subscriber.name,
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      attempts,
      lastError: outcome.ok ? null : (outcome.error ?? null),
    });
  }
}

const GATEWAY = { provider: GATEWAY_SOURCE, connection: GATEWAY_SOURCE };
