import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { REJECTION_STATUS } from '@kyc/core';
import { VerificationEventDto } from '../events/event.dto';
import { VerificationDto } from '../verifications/verification.dto';

const REASONS = Object.keys(REJECTION_STATUS);

/** Minutes of the overview's chart: the last hour, the current minute included. */
export const OVERVIEW_MINUTES = 60;
/** How far back refusalsByReason looks. */
export const REFUSALS_WINDOW_MS = 24 * 3_600_000;
/** At most this many events, and as many verifications, in a search answer. */
export const SEARCH_LIMIT = 50;

@ApiSchema({ name: 'ProviderWebhookSeries' })
export class ProviderSeriesDto {
  @ApiProperty({ example: 'complycube' })
  provider: string;

  @ApiProperty({ type: 'integer', isArray: true, example: [0, 3, 1], description: `webhooks stored in each minute, oldest first: always ${OVERVIEW_MINUTES} counts` })
  counts: number[];
}

@ApiSchema({ name: 'WebhooksPerMinute' })
export class WebhooksPerMinuteDto {
  @ApiProperty({ format: 'date-time', description: 'start of the oldest minute (counts[0]); counts[i] covers [from + i min, from + (i+1) min)' })
  from: string;

  @ApiProperty({ example: OVERVIEW_MINUTES, description: 'how many minutes: the last one is the current minute' })
  minutes: number;

  @ApiProperty({ type: [ProviderSeriesDto], description: 'one entry per provider with at least one webhook in the period, by provider name' })
  series: ProviderSeriesDto[];
}

@ApiSchema({ name: 'RefusalReasonCount' })
export class RefusalReasonCountDto {
  @ApiProperty({ enum: REASONS })
  reason: string;

  @ApiProperty({ type: 'integer', example: 3 })
  count: number;
}

@ApiSchema({ name: 'DeliveryBacklog' })
export class DeliveryBacklogDto {
  @ApiProperty({ type: 'integer', description: 'deliveries not yet made (waiting for an attempt or a retry)' })
  pending: number;

  @ApiProperty({ type: 'integer', description: 'deliveries given up on (GET /admin/deliveries?status=failed, POST /admin/deliveries/retry)' })
  failed: number;
}

@ApiSchema({ name: 'PausedSubscriber' })
export class PausedSubscriberDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'crm' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'HTTP 410 from crm.example.com', description: 'why delivery disabled it; null when an operator did' })
  disabledReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when delivery disabled it; null when an operator did' })
  disabledAt: string | null;
}

@ApiSchema({ name: 'ConnectionActivity' })
export class ConnectionActivityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'complycube' })
  provider: string;

  @ApiProperty({ example: 'default' })
  name: string;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'receivedAt of its newest stored event; null when it has none' })
  lastWebhookAt: string | null;
}

@ApiSchema({ name: 'Overview' })
export class OverviewDto {
  @ApiProperty({ format: 'date-time' })
  generatedAt: string;

  @ApiProperty({ type: WebhooksPerMinuteDto, description: 'stored webhooks (accepted events, not redeliveries) per provider and minute over the last hour' })
  webhooksPerMinute: WebhooksPerMinuteDto;

  @ApiProperty({ type: [RefusalReasonCountDto], description: 'refused ingress requests of the last 24 hours per reason, most first (recorded within about a second)' })
  refusalsByReason: RefusalReasonCountDto[];

  @ApiProperty({ type: DeliveryBacklogDto })
  deliveries: DeliveryBacklogDto;

  @ApiProperty({ type: [PausedSubscriberDto], description: 'disabled subscribers, by name' })
  pausedSubscribers: PausedSubscriberDto[];

  @ApiProperty({ type: [ConnectionActivityDto], description: 'every connection, by provider and name' })
  connections: ConnectionActivityDto[];
}

/** `?q=`: one value, trimmed, matched exactly. Personal data (subject ids): never logged. */
export class SearchQuery {
  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    description: "an event id, a verification id (the gateway's), or a subject's applicantId, externalUserId or verificationId (the vendor's); exact, trimmed",
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  q: string;
}

@ApiSchema({ name: 'SearchResult' })
export class SearchResultDto {
  @ApiProperty({ description: 'q as searched (trimmed)' })
  query: string;

  @ApiProperty({ type: [VerificationEventDto], description: `the event of that id, and the events of that subject (as GET /admin/events lists them), newest first, at most ${SEARCH_LIMIT}` })
  events: VerificationEventDto[];

  @ApiProperty({
    type: [VerificationDto],
    description: `the verification of that id, and the verifications of that subject (as GET /admin/verifications lists them), newest first, at most ${SEARCH_LIMIT}`,
  })
  verifications: VerificationDto[];
}
