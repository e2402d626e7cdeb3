import { ApiProperty, ApiPropertyOptional, ApiSchema, IntersectionType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { GATEWAY_SOURCE, VERIFICATION_STATUSES, type EventVerification, type VerificationEvent, type VerificationStatus, type VerificationSubject } from '@kyc/core';
import type { EventSearch } from '@kyc/persistence';
import { PROVIDERS } from '@kyc/providers';
import { DeliveryDto, DeliveryWithAttemptsDto } from '../deliveries/delivery.dto';
import { PageQuery } from '../pagination';
import { NoNul, timeRange, TimeRangeDto } from './list-query';

/** `gateway`: the operational events about the gateway's own parts (subscribers). */
const PROVIDER_NAMES = [...PROVIDERS.map((provider) => provider.name), GATEWAY_SOURCE];

/** The filters events and verifications share: where they come from, their status, their subject. */
export class SubjectFilterDto {
  @ApiPropertyOptional({ enum: PROVIDER_NAMES })
  @IsOptional()
  @IsIn(PROVIDER_NAMES)
  provider?: string;

  @ApiPropertyOptional({ example: 'default' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @NoNul()
  connection?: string;

  @ApiPropertyOptional({ enum: VERIFICATION_STATUSES })
  @IsOptional()
  @IsIn(VERIFICATION_STATUSES)
  status?: VerificationStatus;

  @ApiPropertyOptional({ description: "the vendor's applicant / client id (subject.applicantId), exact" })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  applicantId?: string;

  @ApiPropertyOptional({ description: "the customer's own user id (subject.externalUserId), exact" })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  externalUserId?: string;

  @ApiPropertyOptional({ description: "the vendor's verification / session id (subject.verificationId), exact; events: those already taken into their verification" })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  verificationId?: string;
}

/** Filters of the event list; `from` / `to` apply to receivedAt. */
export class EventListQuery extends IntersectionType(PageQuery, TimeRangeDto, SubjectFilterDto) {
  @ApiPropertyOptional({ description: 'normalized type, exact', example: 'verification.approved' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoNul()
  type?: string;
}

export function eventSearch(query: EventListQuery): EventSearch {
  const { provider, connection, type, status, applicantId, externalUserId, verificationId } = query;
  return { provider, connection, type, status, applicantId, externalUserId, verificationId, ...timeRange(query) };
}

@ApiSchema({ name: 'ReplayEvent' })
export class ReplayDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'only these subscribers (default: every subscriber whose filter matches the event now)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  subscriberIds?: string[];
}

@ApiSchema({ name: 'VerificationSubject' })
export class VerificationSubjectDto {
  @ApiPropertyOptional() applicantId?: string;
  @ApiPropertyOptional() externalUserId?: string;
  @ApiPropertyOptional() verificationId?: string;
  @ApiPropertyOptional() checkId?: string;
}

@ApiSchema({ name: 'EventVerification' })
export class EventVerificationDto implements EventVerification {
  @ApiProperty({ format: 'uuid', description: 'GET /admin/verifications/:id' }) id: string;
  @ApiProperty({ description: "this event's place in the subject's history, in processing order (1, 2, 3...)" }) sequence: number;
  @ApiProperty({ enum: VERIFICATION_STATUSES, nullable: true, description: "the subject's status once this event is taken into account" }) status: VerificationStatus | null;
  @ApiProperty({ enum: VERIFICATION_STATUSES, nullable: true, description: 'before it' }) previousStatus: VerificationStatus | null;
  @ApiProperty({ description: 'a status event older (by occurredAt) than the status already applied: it changed nothing' }) stale: boolean;
}

/** VerificationEvent v1, as subscribers receive it (contract). */
@ApiSchema({ name: 'VerificationEvent' })
export class VerificationEventDto implements VerificationEvent {
  @ApiProperty({ enum: ['1'] })
  specVersion: '1';

  @ApiProperty({ format: 'uuid', description: 'gateway event id, stable across redeliveries and replays' })
  id: string;

  @ApiProperty({ enum: PROVIDER_NAMES })
  provider: string;

  @ApiProperty({ example: 'default' })
  connection: string;

  @ApiProperty({ example: 'verification.approved' })
  type: string;

  @ApiProperty({ enum: VERIFICATION_STATUSES, nullable: true })
  status: VerificationStatus | null;

  @ApiProperty({ description: "vendor's event id, or a digest of the decoded payload where it sends none" })
  providerEventId: string;

  @ApiProperty({ description: "vendor's own type, verbatim" })
  providerEventType: string;

  @ApiProperty({ type: VerificationSubjectDto })
  subject: VerificationSubjectDto;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'vendor facts worth keeping (outcome, stepName...)' })
  details: Record<string, unknown>;

  @ApiProperty({
    type: EventVerificationDto,
    nullable: true,
    description: "the subject's verification as the gateway tracks it; null when the event names no subject (or before the worker took it in)",
  })
  verification: EventVerificationDto | null;
}

@ApiSchema({ name: 'EventDetail' })
export class EventDetailDto {
  @ApiProperty({ type: VerificationEventDto })
  event: VerificationEventDto;

  @ApiProperty({ type: [DeliveryWithAttemptsDto] })
  deliveries: DeliveryWithAttemptsDto[];
}

@ApiSchema({ name: 'ReplayResult' })
export class ReplayResultDto {
  @ApiProperty({ type: [DeliveryDto], description: 'the restarted deliveries, one per subscriber' })
  deliveries: DeliveryDto[];
}

export function toSubjectDto({ applicantId, externalUserId, verificationId, checkId }: VerificationSubject): VerificationSubjectDto {
  return { applicantId, externalUserId, verificationId, checkId };
}

export function toVerificationEventDto(event: VerificationEvent): VerificationEventDto {
  const { specVersion, id, provider, connection, type, status, providerEventId, providerEventType, occurredAt, receivedAt, details, verification } = event;
  return {
    specVersion,
    id,
    provider,
    connection,
    type,
    status,
    providerEventId,
    providerEventType,
    subject: toSubjectDto(event.subject),
    occurredAt,
    receivedAt,
    details,
    verification: verification && {
      id: verification.id,
      sequence: verification.sequence,
      status: verification.status,
      previousStatus: verification.previousStatus,
      stale: verification.stale,
    },
  };
}
