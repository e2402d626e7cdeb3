/**
 * The hash tag of a Redis key as Redis Cluster reads it: the text between the first `{` and the
 * first `}` after it, when not empty. Keys sharing a tag share a slot; BullMQ on a cluster needs
 * every key of a queue in one slot, so its prefix must carry one (`{kyc}`).
 */
export function redisHashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}
