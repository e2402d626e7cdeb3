import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type EnvironmentVariables, redisClusterNodes } from '@kyc/config';

/**
 * - `producer`: commands fail fast while Redis is away (no offline queue), so a webhook is never
 *   held up by the queue; the outbox relay enqueues what could not be added.
 * - `worker`: blocking connections as BullMQ requires (no per-request retry limit).
 */
export type RedisRole = 'producer' | 'worker';

/** A single node or a cluster: BullMQ, pub/sub and the health check take either. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: REDIS_CLUSTER_NODES when set, else REDIS_URL. */
export type RedisLocation = Pick<EnvironmentVariables, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>;

/** Reconnect forever, at most every 2 s: Redis outages end and the apps must resume by themselves. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2_000);

/** What every connection to a node takes, single or in a cluster: credentials and TLS from REDIS_URL, and the role's retry limit. */
function nodeSettings(url: string, role: RedisRole): RedisOptions {
  const parsed = new URL(url);
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    connectTimeout: 3_000,
    maxRetriesPerRequest: role === 'producer' ? 1 : null,
  };
}

/** ioredis options of a single node from a redis:// URL. */
export function redisOptions(url: string, role: RedisRole): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {
    ...nodeSettings(url, role),
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    retryStrategy: reconnectDelay,
  };
  return role === 'producer' ? { ...options, enableOfflineQueue: false } : options;
}

/** The cluster's nodes as configured, or undefined on a single node (the environment is validated at boot). */
function clusterNodesOf(location: RedisLocation) {
  const nodes = redisClusterNodes(location.REDIS_CLUSTER_NODES) ?? [];
  return nodes.length > 0 ? nodes : undefined;
}

/**
 * Every Redis client of the apps is built here: an ioredis `Redis` on REDIS_URL, or a `Cluster`
 * on REDIS_CLUSTER_NODES with the same per-node settings. The caller owns it (closes it).
 */
export function createRedisClient(location: RedisLocation, role: RedisRole, { lazyConnect = false }: { lazyConnect?: boolean } = {}): RedisClient {
  const nodes = clusterNodesOf(location);
  if (!nodes) return new Redis({ ...redisOptions(location.REDIS_URL, role), lazyConnect });
  return new Cluster(nodes, {
    // Per-node connections: the cluster reconnects them itself (a lost node is found again through the slots).
    redisOptions: nodeSettings(location.REDIS_URL, role),
    enableOfflineQueue: role === 'worker',
    clusterRetryStrategy: reconnectDelay,
    lazyConnect,
  });
}

/**
 * A connection to one node for a subscription, the `turn`-th of the configured ones (round robin):
 * it never reconnects by itself, so that its owner knows when a subscription is gone and can
 * subscribe again, on the next node of a cluster. Published messages reach every node of a
 * cluster, replicas included, so any node serves.
 */
export function createSubscriberClient(location: RedisLocation, turn: number): Redis {
  const nodes = clusterNodesOf(location);
  const single = redisOptions(location.REDIS_URL, 'producer');
  const node = nodes ? { ...single, ...nodes[turn % nodes.length], db: 0 } : single;
  return new Redis({ ...node, autoResubscribe: false, retryStrategy: () => null });
}

/** Where Redis is, for log lines: the node list of a cluster, or the URL without credentials. */
export function describeRedisLocation(location: RedisLocation): string {
  if (clusterNodesOf(location)) return `cluster ${location.REDIS_CLUSTER_NODES}`;
  const parsed = new URL(location.REDIS_URL);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}
