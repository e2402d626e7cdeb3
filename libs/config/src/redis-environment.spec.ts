import { ConfigurationError, redisClusterNodes, validateEnvironment } from './environment';

function problemsOf(raw: Record<string, string>): string {
  try {
    validateEnvironment(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  return '';
}

describe('Redis Cluster settings of the environment', () => {
  it('runs on REDIS_URL unless REDIS_CLUSTER_NODES is set', () => {
    expect(validateEnvironment({}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(validateEnvironment({ REDIS_CLUSTER_NODES: '' }).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(validateEnvironment({ REDIS_CLUSTER_NODES: 'redis-1:7000,redis-2:7000', QUEUE_PREFIX: '{kyc}' })).toMatchObject({
      REDIS_CLUSTER_NODES: 'redis-1:7000,redis-2:7000',
      QUEUE_PREFIX: '{kyc}',
    });
  });

  it('refuses a QUEUE_PREFIX without a hash tag on a cluster, naming the variable and the fix', () => {
    for (const prefix of ['kyc', 'kyc{}', '{}{kyc}']) {
      const message = problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: prefix });
      expect(message).toContain('QUEUE_PREFIX must contain a hash tag such as {kyc} when REDIS_CLUSTER_NODES is set');
    }
    // The default prefix `kyc` has none either.
    expect(problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toMatch(/QUEUE_PREFIX/);
    expect(problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: 'prod-{kyc}' })).toBe('');
    // Without a cluster any prefix goes.
    expect(problemsOf({ QUEUE_PREFIX: 'kyc' })).toBe('');
  });

  it('refuses node lists that are not host:port', () => {
    for (const nodes of ['127.0.0.1', 'redis-1:7000,', 'redis-1:0', 'redis-1:70000', 'redis://redis-1:7000', 'redis-1:7000;redis-2:7000', '::1:7000']) {
      expect(problemsOf({ REDIS_CLUSTER_NODES: nodes, QUEUE_PREFIX: '{kyc}' })).toContain('REDIS_CLUSTER_NODES must be host:port,host:port,...');
    }
  });

  it('refuses a database other than 0 in REDIS_URL on a cluster, never echoing the URL', () => {
    const url = 'redis://:very-secret-password@redis:6379/3';
    const message = problemsOf({ REDIS_CLUSTER_NODES: 'redis-1:7000', QUEUE_PREFIX: '{kyc}', REDIS_URL: url });
    expect(message).toContain('REDIS_URL must select database 0');
    expect(message).not.toContain('very-secret-password');
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis-1:7000', QUEUE_PREFIX: '{kyc}', REDIS_URL: 'rediss://:password@redis/0' })).toBe('');
    expect(problemsOf({ REDIS_URL: url })).toBe('');
  });

  it('parses the node list, IPv6 in brackets, spaces after commas allowed', () => {
    expect(redisClusterNodes(undefined)).toEqual([]);
    expect(redisClusterNodes('redis-1:7000, 10.0.0.2:7001,[::1]:7002')).toEqual([
      { host: 'redis-1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });
});
