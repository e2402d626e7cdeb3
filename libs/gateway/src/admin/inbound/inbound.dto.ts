import { ApiProperty, ApiPropertyOptional, ApiSchema, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { REJECTION_STATUS } from '@kyc/core';
import type { InboundRefusalEntity, InboundRefusalSearch } from '@kyc/persistence';
import { NoNul, timeRange, TimeRangeDto } from '../events/list-query';
import { PageQuery } from '../pagination';

const REASONS = Object.keys(REJECTION_STATUS);

/** Filters of the refusal log; `from` / `to` apply to receivedAt. */
export class InboundListQuery extends IntersectionType(PageQuery, TimeRangeDto) {
  // Any name: a request to an unknown provider is recorded under the name it used.
  @ApiPropertyOptional({ example: 'complycube' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  @NoNul()
  provider?: string;

  @ApiPropertyOptional({ enum: REASONS })
  @IsOptional()
  @IsIn(REASONS)
  reason?: string;
}

export function inboundSearch(query: InboundListQuery): InboundRefusalSearch {
  return { provider: query.provider, reason: query.reason, ...timeRange(query) };
}

/** Refused ingress requests alike, from one source within about a second: why, from where, how big. Never their bodies. */
@ApiSchema({ name: 'InboundRefusal' })
export class InboundRefusalDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, description: 'null when the single ingress URL recognised no vendor' })
  provider: string | null;

  @ApiProperty({ type: String, nullable: true })
  connection: string | null;

  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ enum: REASONS })
  reason: string;

  @ApiProperty({ description: 'what was wrong, without secrets or payload data' })
  detail: string;

  @ApiProperty({ type: String, nullable: true })
  sourceIp: string | null;

  @ApiProperty({ description: 'the largest of them' })
  sizeBytes: number;

  @ApiProperty({ format: 'date-time', description: 'the first of them' })
  receivedAt: string;

  @ApiProperty({ example: 1, description: 'how many refusals this record stands for (recorded aggregated)' })
  count: number;
}

export function toInboundRefusalDto(refusal: InboundRefusalEntity): InboundRefusalDto {
  const { id, provider, connection, statusCode, reason, detail, sourceIp, sizeBytes, count } = refusal;
  return { id, provider, connection, statusCode, reason, detail, sourceIp, sizeBytes, receivedAt: refusal.receivedAt.toISOString(), count };
}
