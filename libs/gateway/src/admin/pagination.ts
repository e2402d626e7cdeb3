import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ValidationFailedError } from '@kyc/core';
import { isUuid } from './admin-validation';

export const DEFAULT_PAGE_LIMIT = 50;

/** Query of every admin list: `?limit=1..500&cursor=<nextCursor of the previous page>`. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * One page of a list ordered by id. `fetch(take, afterId)` returns up to `take` rows after that id;
 * asking for one row more than the page tells whether there is a next page without counting.
 */
export async function paginate<T extends { id: string }>(query: PageQuery, fetch: (take: number, afterId?: string) => Promise<T[]>): Promise<Page<T>> {
  const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
  const rows = await fetch(limit + 1, query.cursor === undefined ? undefined : decodeCursor(query.cursor));
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? encodeCursor(data[data.length - 1].id) : null };
}

/** Opaque to clients (they only pass it back), so its content may change later. */
function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const lastId = Buffer.from(cursor, 'base64url').toString('utf8');
  // Checked before it reaches a query: a forged cursor is the client's error, not a 500.
  if (!isUuid(lastId) || encodeCursor(lastId) !== cursor) throw new ValidationFailedError({ cursor: ['cursor is not a cursor this API returned'] });
  return lastId;
}
