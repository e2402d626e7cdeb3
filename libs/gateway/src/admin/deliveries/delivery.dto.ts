import { ApiProperty, ApiPropertyOptional, ApiSchema, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { DeliveryAttemptEntity, DeliveryEntity, DeliverySearch, DeliveryStatus } from '@kyc/persistence';
import { PageQuery } from '../pagination';
import { timeRange, TimeRangeDto } from '../events/list-query';

export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed'];

/** Filters of the delivery list and of the bulk retry (`from` / `to` on createdAt). */
export class DeliveryFilterDto extends TimeRangeDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  subscriberId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  eventId?: string;
}

export class DeliveryListQuery extends IntersectionType(PageQuery, DeliveryFilterDto) {}

export function deliverySearch(filter: DeliveryFilterDto): DeliverySearch {
  return { status: filter.status, subscriberId: filter.subscriberId, eventId: filter.eventId, ...timeRange(filter) };
}

@ApiSchema({ name: 'DeliveryAttempt' })
export class DeliveryAttemptDto {
  @ApiProperty({ description: 'counts from 1 in each round (a retry or replay starts a new round)' })
  attemptNumber: number;

  @ApiProperty({ format: 'date-time' })
  attemptedAt: string;

  @ApiProperty({ enum: ['succeeded', 'failed'] })
  outcome: 'succeeded' | 'failed';

  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status of an http subscriber' })
  httpStatus: number | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty()
  durationMs: number;
}

@ApiSchema({ name: 'Delivery' })
export class DeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ format: 'uuid' })
  subscriberId: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty({ description: 'attempts made in the current round' })
  attempts: number;

  @ApiProperty({ description: 'rounds started on demand (retries and replays)' })
  replays: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;
}

// Its own schema name: @ApiSchema is inherited otherwise, and would clash with Delivery's.
@ApiSchema({ name: 'DeliveryWithAttempts' })
export class DeliveryWithAttemptsDto extends DeliveryDto {
  @ApiProperty({ type: [DeliveryAttemptDto] })
  attemptLog: DeliveryAttemptDto[];
}

@ApiSchema({ name: 'BulkRetry' })
export class BulkRetryDto extends DeliveryFilterDto {}

@ApiSchema({ name: 'BulkRetryResult' })
export class BulkRetryResultDto {
  @ApiProperty({ description: 'deliveries matching the filter, restarted now or in the background' })
  queued: number;
}

export function toDeliveryDto(delivery: DeliveryEntity): DeliveryDto {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    subscriberId: delivery.subscriberId,
    status: delivery.status,
    attempts: delivery.attempts,
    replays: delivery.replays,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    completedAt: delivery.completedAt?.toISOString() ?? null,
  };
}

export function toAttemptDto(attempt: DeliveryAttemptEntity): DeliveryAttemptDto {
  return {
    attemptNumber: attempt.attemptNumber,
    attemptedAt: attempt.attemptedAt.toISOString(),
    outcome: attempt.outcome,
    httpStatus: attempt.httpStatus,
    error: attempt.error,
    durationMs: attempt.durationMs,
  };
}
