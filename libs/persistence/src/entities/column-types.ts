import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a BIGINT: the one time type that behaves the same on
 * SQLite and PostgreSQL, sorts correctly and makes cursors trivial. node-pg returns BIGINT as a
 * string, hence the transformer.
 */
export const epochMs: ValueTransformer = {
  // Find operators (IsNull, LessThan...) pass their operand through here too: leave non-dates alone.
  to: (value: unknown) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value == null ? null : new Date(Number(value))),
};
