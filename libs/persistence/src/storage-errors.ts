import { QueryFailedError } from 'typeorm';

interface DriverError {
  code?: string;
}

/** A unique-constraint violation on PostgreSQL (23505) or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const code = error instanceof QueryFailedError ? (error.driverError as DriverError)?.code : (error as DriverError)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The database could not be reached or refused the write; callers answer 503 so vendors retry. */
export class StorageUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super(`storage unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StorageUnavailableError';
  }
}
