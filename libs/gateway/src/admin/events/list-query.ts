import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, NotContains } from 'class-validator';
import { ValidationFailedError } from '@kyc/core';

/** For filters compared in SQL: PostgreSQL refuses a NUL character in text (a 500 otherwise). */
export const NoNul = () => NotContains('\u0000', { message: ({ property }) => `${property} must not contain NUL characters` });

/**
 * The time range of the admin lists of events, deliveries and refused requests (and of the bulk
 * retry): `from` included, `to` excluded, so consecutive ranges neither overlap nor leave a gap.
 */
export class TimeRangeDto {
  @ApiPropertyOptional({ description: 'ISO-8601 time, included', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO-8601 time, excluded', example: '2026-01-02T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** The range as dates; a range that ends before it starts is the client's error (400), not an empty page. */
export function timeRange({ from, to }: TimeRangeDto): { from?: Date; to?: Date } {
  const range = { from: from === undefined ? undefined : new Date(from), to: to === undefined ? undefined : new Date(to) };
  if (range.from && range.to && range.from > range.to) throw new ValidationFailedError({ to: ['to must not be before from'] });
  return range;
}
