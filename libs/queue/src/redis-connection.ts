import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from a redis:// URL.
 * - `producer`: commands fail fast while Redis is away (no offline queue), so a webhook is never
 *   held up by the queue; the outbox relay enqueues what could not be added.
 * - `worker`: blocking connections as BullMQ requires (no per-request retry limit).
 */
export function redisOptions(url: string, role: 'producer' | 'worker'): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 3_000,
    // Reconnect forever, at most every 2 s: Redis outages end and the apps must resume by themselves.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
  return role === 'producer' ? { ...options, enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { ...options, maxRetriesPerRequest: null };
}

/** The URL without credentials, for log lines. */
export function redactedRedisUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}
