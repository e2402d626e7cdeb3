import { ApiProperty, ApiPropertyOptional, ApiSchema, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { ValidationFailedError, VERIFICATION_STATUSES, type VerificationStatus } from '@kyc/core';
import type { TimelineEntry, VerificationSearch, VerificationView } from '@kyc/persistence';
import { PROVIDERS } from '@kyc/providers';
import { SubjectFilterDto, toSubjectDto, VerificationSubjectDto } from '../events/event.dto';
import { PageQuery } from '../pagination';

const PROVIDER_NAMES = PROVIDERS.map((provider) => provider.name);

class UpdatedRangeDto {
  @ApiPropertyOptional({ description: 'ISO-8601 time, included: last changed at or after', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  updatedFrom?: string;

  @ApiPropertyOptional({ description: 'ISO-8601 time, excluded: last changed before', example: '2026-01-02T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  updatedTo?: string;
}

/** Filters of the verification list. */
export class VerificationListQuery extends IntersectionType(PageQuery, UpdatedRangeDto, SubjectFilterDto) {
  @ApiPropertyOptional({
    minimum: 0,
    description: 'only verifications in a non-final status (not approved, rejected, completed, expired, cancelled) held for at least this many seconds (vendor time)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100 * 365 * 86_400)
  stuckForSeconds?: number;
}

export function verificationSearch(query: VerificationListQuery): VerificationSearch {
  const { provider, connection, status, applicantId, externalUserId, verificationId, stuckForSeconds } = query;
  const updatedFrom = query.updatedFrom === undefined ? undefined : new Date(query.updatedFrom);
  const updatedTo = query.updatedTo === undefined ? undefined : new Date(query.updatedTo);
  if (updatedFrom && updatedTo && updatedFrom > updatedTo) throw new ValidationFailedError({ updatedTo: ['updatedTo must not be before updatedFrom'] });
  return { provider, connection, status, applicantId, externalUserId, verificationId, updatedFrom, updatedTo, stuckForSeconds };
}

@ApiSchema({ name: 'Verification' })
export class VerificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: PROVIDER_NAMES }) provider: string;
  @ApiProperty({ example: 'default' }) connection: string;
  @ApiProperty({ type: VerificationSubjectDto, description: 'every subject id its events carried' }) subject: VerificationSubjectDto;
  @ApiProperty({ enum: VERIFICATION_STATUSES, nullable: true, description: 'null until an event with a status arrives' }) status: VerificationStatus | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    description: 'vendor time (occurredAt) of the status event applied last; null when that event carried no vendor time (then statuses are ordered by stage)',
  })
  statusAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, description: 'vendor time since which the status has had its current value' }) statusSince: string | null;
  @ApiProperty({ description: 'events taken into account (the last sequence number)' }) events: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

@ApiSchema({ name: 'VerificationTimelineEntry' })
export class TimelineEntryDto {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'verification.approved' }) type: string;
  @ApiProperty({ enum: VERIFICATION_STATUSES, nullable: true }) status: VerificationStatus | null;
  @ApiProperty({ format: 'date-time', description: 'vendor time: the timeline is in this order' }) occurredAt: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ description: 'place in processing order' }) sequence: number;
  @ApiProperty({ description: 'older than the status already applied when it arrived: changed nothing' }) stale: boolean;
}

@ApiSchema({ name: 'VerificationDetail' })
export class VerificationDetailDto extends VerificationDto {
  @ApiProperty({ type: [TimelineEntryDto], description: 'every event in vendor-time order (at most 1000)' })
  timeline: TimelineEntryDto[];
}

export function toVerificationDto(verification: VerificationView): VerificationDto {
  const { id, provider, connection, status, statusAt, statusSince, events, createdAt, updatedAt } = verification;
  return { id, provider, connection, subject: toSubjectDto(verification.subject), status, statusAt, statusSince, events, createdAt, updatedAt };
}

export function toTimelineEntryDto({ eventId, type, status, occurredAt, receivedAt, sequence, stale }: TimelineEntry): TimelineEntryDto {
  return { eventId, type, status, occurredAt, receivedAt, sequence, stale };
}
