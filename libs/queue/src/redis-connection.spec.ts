import { Cluster, Redis } from 'ioredis';
import { createRedisClient, createSubscriberClient, describeRedisLocation, type RedisLocation } from './redis-connection';
import { ReplicaWait } from './replica-wait';

const single: RedisLocation = { REDIS_URL: 'rediss://app:s%40cret@redis.internal:6380/2' };
const cluster: RedisLocation = { REDIS_URL: 'rediss://app:s%40cret@ignored:1', REDIS_CLUSTER_NODES: 'redis-1:7000,redis-2:7001,[::1]:7002' };

describe('Redis clients', () => {
  const opened: Array<Redis | Cluster> = [];
  const track = <T extends Redis | Cluster>(client: T): T => {
    client.on('error', () => undefined);
    opened.push(client);
    return client;
  };
  afterEach(() => opened.splice(0).forEach((client) => client.disconnect()));

  it('builds a single node from REDIS_URL: fail-fast producers, patient workers', () => {
    const producer = track(createRedisClient(single, 'producer', { lazyConnect: true }));
    expect(producer).toBeInstanceOf(Redis);
    expect((producer as Redis).options).toMatchObject({ host: 'redis.internal', port: 6380, db: 2, username: 'app', password: 's@cret', tls: {}, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const worker = track(createRedisClient(single, 'worker', { lazyConnect: true }));
    expect((worker as Redis).options).toMatchObject({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  });

  it("builds a Cluster from REDIS_CLUSTER_NODES, each node with REDIS_URL's credentials and TLS", () => {
    const producer = track(createRedisClient(cluster, 'producer', { lazyConnect: true })) as Cluster;
    expect(producer).toBeInstanceOf(Cluster);
    expect(producer.options).toMatchObject({ enableOfflineQueue: false, redisOptions: { username: 'app', password: 's@cret', tls: {}, maxRetriesPerRequest: 1 } });
    expect(producer.options.redisOptions).not.toHaveProperty('host');
    // BullMQ refuses a worker connection whose nodes would give up on a blocking command.
    const worker = track(createRedisClient(cluster, 'worker', { lazyConnect: true })) as Cluster;
    expect(worker.options).toMatchObject({ enableOfflineQueue: true, redisOptions: { maxRetriesPerRequest: null } });
  });

  it('subscribes on one node at a time, the next one listed at each new turn, never reconnecting by itself', () => {
    const nodes = [0, 1, 2, 4].map((turn) => track(createSubscriberClient(cluster, turn)).options);
    expect(nodes.map(({ host, port }) => `${host}:${port}`)).toEqual(['redis-1:7000', 'redis-2:7001', '::1:7002', 'redis-2:7001']);
    expect(nodes[0]).toMatchObject({ db: 0, password: 's@cret', tls: {}, autoResubscribe: false });
    expect(nodes[0].retryStrategy?.(1)).toBeNull();
    expect(track(createSubscriberClient(single, 3)).options).toMatchObject({ host: 'redis.internal', port: 6380, db: 2 });
  });

  it('names where Redis is without its credentials', () => {
    expect(describeRedisLocation(single)).toBe('rediss://redis.internal:6380/2');
    expect(describeRedisLocation(cluster)).toBe('cluster redis-1:7000,redis-2:7001,[::1]:7002');
  });

  it('waits for replicas on a cluster only', async () => {
    const client = track(createRedisClient(single, 'producer', { lazyConnect: true }));
    await expect(new ReplicaWait(client, '{kyc}').settle()).resolves.toBe(true);
  });
});
