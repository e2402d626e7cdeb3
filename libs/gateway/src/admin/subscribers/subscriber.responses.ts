import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { BackoffType, Subscriber, SubscriberKind } from '@kyc/persistence';

/** Answers of the subscribers API. */

@ApiSchema({ name: 'SubscriberBackoffSettings' })
class BackoffView {
  @ApiProperty({ enum: ['exponential', 'fixed'] }) type: BackoffType;
  @ApiProperty() delayMs: number;
  @ApiProperty() maxDelayMs: number;
}

@ApiSchema({ name: 'SubscriberRetrySettings' })
class RetryView {
  @ApiProperty() maxAttempts: number;
  @ApiProperty({ type: () => BackoffView }) backoff: BackoffView;
}

@ApiSchema({ name: 'SubscriberFilterSettings' })
class FilterView {
  @ApiProperty({ type: [String], description: 'Empty: every provider' }) providers: string[];
  @ApiProperty({ type: [String], example: ['complycube/default'], description: 'Names or provider/name; empty: every connection' }) connections: string[];
  @ApiProperty({ type: [String], example: ['verification.*'] }) types: string[];
  @ApiProperty({ description: 'Also stale status events' }) includeStale: boolean;
}

@ApiSchema({ name: 'Subscriber' })
export class SubscriberView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'billing' }) name: string;
  @ApiProperty({ enum: ['queue', 'http'] }) kind: SubscriberKind;
  @ApiPropertyOptional({ example: 'kyc-billing' }) queue?: string;
  @ApiPropertyOptional({ example: 'https://crm.example.com/kyc' }) url?: string;
  @ApiProperty() timeoutMs: number;
  @ApiProperty({ type: () => FilterView }) filter: FilterView;
  @ApiProperty({ type: () => RetryView }) retry: RetryView;
  @ApiProperty() enabled: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'HTTP 410 from crm.example.com',
    description: 'Why delivery disabled it (HTTP 410 Gone, or `failing since <ISO> (<n> consecutive failures)`); null otherwise. Enabling it clears this.',
  })
  disabledReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When delivery disabled it' })
  disabledAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'http: first failed attempt since the last success; null while it succeeds' })
  failingSince: string | null;
  @ApiPropertyOptional({ description: 'http: short fingerprint of the signing secret' }) secretFingerprint?: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

@ApiSchema({ name: 'CreatedSubscriber' })
export class CreatedSubscriberView extends SubscriberView {
  @ApiPropertyOptional({ example: 'whsec_...', description: 'http: the Standard Webhooks signing secret, shown in this answer only' })
  secret?: string;
}

export function toSubscriberView(subscriber: Subscriber): SubscriberView {
  const { id, name, kind, timeoutMs, filter, retry, enabled, disabledReason, disabledAt, failingSince, createdAt, updatedAt } = subscriber;
  const { queue, url, secretFingerprint } = subscriber.kind === 'queue' ? { queue: subscriber.queue } : { url: subscriber.url, secretFingerprint: subscriber.secretFingerprint };
  const { backoff } = retry;
  return {
    id,
    name,
    kind,
    queue,
    url,
    timeoutMs,
    filter: { providers: filter.providers, connections: filter.connections ?? [], types: filter.types, includeStale: filter.includeStale ?? false },
    retry: { maxAttempts: retry.maxAttempts, backoff: { type: backoff.type, delayMs: backoff.delayMs, maxDelayMs: backoff.maxDelayMs } },
    enabled,
    disabledReason,
    disabledAt,
    failingSince,
    secretFingerprint,
    createdAt,
    updatedAt,
  };
}
