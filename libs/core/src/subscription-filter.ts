import { isOpsType } from '@kyc/consumer/ops-event';

/** Which events a subscriber receives. */
export interface SubscriptionFilter {
  /** Provider names; empty = every provider. */
  providers: string[];
  /**
   * Connections: a name (`default`: that name at any provider) or `provider/name`; empty or absent =
   * every connection. Keeps a sandbox or weakly authenticated connection away from production consumers.
   */
  connections?: string[];
  /** Type patterns: `*` (every event but the operational ones), `verification.*` (prefix up to a dot), or an exact type. Empty = none. */
  types: string[];
  /** Also stale status events (`verification.stale`: older than the status already held); default false. */
  includeStale?: boolean;
}

/** `*` leaves out operational events (`ops.*`): a consumer of verifications must not get alerts it never asked for. */
export function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return !isOpsType(type);
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function connectionMatches(entry: string, event: { provider: string; connection: string }): boolean {
  const slash = entry.indexOf('/');
  return slash < 0 ? entry === event.connection : entry.slice(0, slash) === event.provider && entry.slice(slash + 1) === event.connection;
}

export function filterMatches(filter: SubscriptionFilter, event: { provider: string; connection: string; type: string; verification?: { stale: boolean } | null }): boolean {
  if (event.verification?.stale && !filter.includeStale) return false;
  if (filter.providers.length > 0 && !filter.providers.includes(event.provider)) return false;
  const connections = filter.connections ?? [];
  if (connections.length > 0 && !connections.some((entry) => connectionMatches(entry, event))) return false;
  return filter.types.some((pattern) => typeMatches(pattern, event.type));
}

/** A valid `connections` entry: a connection name, or `provider/name` (names as the connections API takes them). */
export const CONNECTION_FILTER_PATTERN = /^([a-z0-9-]+\/)?(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

/** A valid pattern: `*`, or dot-separated segments of [A-Za-z0-9_-], the last of which may be `*`. */
export const TYPE_PATTERN = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;
