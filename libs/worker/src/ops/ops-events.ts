import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { OpsEventDetails, OpsEventType, VerificationEvent } from '@kyc/core';
import { MetricsService } from '@kyc/observability';
import { EventStore } from '@kyc/persistence';
import { EventPublisher } from '@kyc/queue';

/** Where an operational event belongs: a vendor connection, or the gateway itself (GATEWAY_SOURCE). */
export interface OpsSource {
  provider: string;
  connection: string;
}

/**
 * Raises operational events (contract: Operational events), stored and fanned out like any
 * event, so they are as durable as webhooks and reach every subscriber whose types match them.
 *
 * Once per episode: the event's dedup key (`providerEventId`) is the alert type plus `episode`,
 * a key naming the episode (the refusal streak's start, the last webhook before a silence, the
 * stuck status and its time, the pause's time). Raising the same episode again, from this pass,
 * the next one or another worker, is a duplicate and delivers nothing; a new episode has a new key.
 */
@Injectable()
export class OpsEvents {
  private readonly logger = new Logger('Ops');

  constructor(
    private readonly events: EventStore,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsService,
  ) {}

  /** Whether the event was raised now (false: this episode was raised before). Throws StorageUnavailableError. */
  async raise<T extends OpsEventType>(type: T, source: OpsSource, episode: string, details: OpsEventDetails[T]): Promise<boolean> {
    const now = new Date().toISOString();
    const event: VerificationEvent = {
      specVersion: '1',
      id: uuidv7(),
      provider: source.provider,
      connection: source.connection,
      type,
      status: null,
      providerEventId: `${type}:${episode}`,
      providerEventType: type,
      subject: {},
      occurredAt: now,
      receivedAt: now,
      details: { ...details },
      verification: null,
    };
    const { duplicate } = await this.events.record(event, {});
    if (duplicate) return false;
    this.publisher.publish(event.id);
    this.metrics.opsEventRaised(type);
    this.logger.warn(`${type} ${source.provider}/${source.connection}: ${JSON.stringify(details)}`);
    return true;
  }
}
