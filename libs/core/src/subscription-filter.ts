/** Which events a subscriber receives. */
export interface SubscriptionFilter {
  /** Provider names; empty = every provider. */
  providers: string[];
  /** Type patterns: `*` (all), `verification.*` (prefix up to a dot), or an exact type. Empty = none. */
  types: string[];
}

export function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function filterMatches(filter: SubscriptionFilter, event: { provider: string; type: string }): boolean {
  if (filter.providers.length > 0 && !filter.providers.includes(event.provider)) return false;
  return filter.types.some((pattern) => typeMatches(pattern, event.type));
}

/** A valid pattern: `*`, or dot-separated segments of [A-Za-z0-9_-], the last of which may be `*`. */
export const TYPE_PATTERN = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;
