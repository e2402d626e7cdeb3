/**
 * Whether a parsed JSON value nests objects/arrays deeper than `maxDepth` (a scalar is depth 0, `{}`
 * and `[]` are 1). Iterative, so it does not overflow on the very input it looks for: thousands of
 * levels fit in a small body, and recursive code downstream (JSON.stringify, class-transformer,
 * Nest's ValidationPipe) would throw a RangeError on them, a 5xx instead of a 400.
 */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** No webhook or admin body comes near this; far deeper ones are refused with a 400. */
export const MAX_JSON_DEPTH = 100;
