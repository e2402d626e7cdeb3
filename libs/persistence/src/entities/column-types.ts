import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a BIGINT: the one time type that behaves the same on
 * SQLite and PostgreSQL, sorts correctly and makes cursors trivial. node-pg returns BIGINT as a
 * string, hence the transformer.
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value == null ? value : value.getTime()),
  from: (value: string | number | null) => (value == null ? null : new Date(Number(value))),
};
