import 'reflect-metadata';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { redisHashTag } from '@kyc/core';
import { ConnectionConfigError, PROVIDERS } from '@kyc/providers';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** 'true'/'1'/'yes' and 'false'/'0'/'no'; anything else is left as is for @IsBoolean to refuse. */
const toBoolean = ({ value }: { value: unknown }) => {
  const text = String(value).toLowerCase();
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  return value;
};

export const MAX_GATEWAY_PROCESSES = 64;
const GATEWAY_PROCESSES_MESSAGE = `GATEWAY_PROCESSES must be auto or a whole number from 1 to ${MAX_GATEWAY_PROCESSES}`;

/**
 * Every environment variable the apps read, validated once at boot (contract: "Processes and
 * configuration"). Nothing else in the code base reads `process.env`.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * `npm run start:gateway`: HTTP processes sharing PORT (node:cluster), `auto` = one per core.
   * 1: a single process, no cluster. The all-in-one `npm start` ignores it.
   */
  @Transform(({ value }: { value: unknown }) => (value === 'auto' ? Math.min(MAX_GATEWAY_PROCESSES, availableParallelism()) : /^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt({ message: GATEWAY_PROCESSES_MESSAGE })
  @Min(1, { message: GATEWAY_PROCESSES_MESSAGE })
  @Max(MAX_GATEWAY_PROCESSES, { message: GATEWAY_PROCESSES_MESSAGE })
  GATEWAY_PROCESSES = 1;

  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, { message: 'DATABASE_URL must be sqlite:<path> or postgres://...' })
  DATABASE_URL = 'sqlite:./data/gateway.sqlite';

  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_MIGRATE = true;

  /** With REDIS_CLUSTER_NODES, only its user, password and scheme (rediss: TLS) are used, for every node. */
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be redis://... or rediss://...' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** `host:port,host:port,...`: run on a Redis Cluster (any of its nodes; more than one, in case one is down) instead of REDIS_URL. */
  @IsOptional()
  @IsString()
  REDIS_CLUSTER_NODES?: string;

  @Matches(/^[A-Za-z0-9_{}.-]+$/, { message: 'QUEUE_PREFIX may hold letters, digits, _ - . { }' })
  QUEUE_PREFIX = 'kyc';

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' })
  ADMIN_API_KEY?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'SECRETS_KEY must be 32 bytes in base64 (44 characters)' })
  SECRETS_KEY?: string;

  /** Keys SECRETS_KEY replaced (comma-separated): still open values until `npm run secrets:rotate` re-seals them. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=(,[A-Za-z0-9+/]{43}=)*$/, { message: 'SECRETS_KEY_PREVIOUS must be 32-byte keys in base64 (44 characters), comma-separated' })
  SECRETS_KEY_PREVIOUS?: string;

  /** Folder for the embedded database and generated keys. */
  @IsString()
  DATA_DIR = './data';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  MAX_BODY_BYTES = 262_144;

  /** Ingress: total bytes of webhook bodies held at once (declared length, else MAX_BODY_BYTES each); past it, 503. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(4 * 1024 * 1024 * 1024)
  INGRESS_MAX_BUFFERED_BYTES = 67_108_864;

  /** Refusals per minute and source IP (per gateway) past which the source gets 429 until the minute ends. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  INGRESS_REFUSALS_PER_MINUTE = 600;

  /** Refused-request records are purged this long after the refusal. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REFUSAL_RETENTION_DAYS = 30;

  /** Gateway HTTP server: open sockets at most (server.maxConnections); further ones are closed at once. */
  @Type(() => Number)
  @IsInt()
  @Min(16)
  @Max(1_000_000)
  HTTP_MAX_CONNECTIONS = 1_000;

  /** Stored events waiting for a write slot at most; past it the ingress answers 503 at once. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  DATABASE_MAX_PENDING_WRITES = 1_000;

  /** PostgreSQL: a statement running longer is cancelled (a hung database becomes a 503, not a hang); 0: none. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 5_000;

  /** Checked when a subscriber is saved (literal and resolved addresses) and again at every connection. */
  @Transform(toBoolean)
  @IsBoolean()
  ALLOW_PRIVATE_SUBSCRIBER_URLS = false;

  /** Upper bound of a subscriber's `Retry-After` (on 429/503) that delivery honours. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(7 * 86_400)
  SUBSCRIBER_MAX_RETRY_AFTER_SECONDS = 3_600;

  /** Time between the worker's operational checks (refusal streaks, silent connections, stuck verifications). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  OPS_CHECK_INTERVAL_MS = 30_000;

  /** An HTTP subscriber failing every attempt for this long is disabled (0: never). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SUBSCRIBER_AUTO_PAUSE_AFTER_MS = 86_400_000;

  /** Gateway HTTP server: time allowed for a request's headers, for the whole request, and an idle keep-alive connection's life. */
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(300_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** Above the idle timeout of load balancers in front (60 s on AWS ALB), so they close first. */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 65_000;

  /** Shutdown: time between readiness turning false and the listener closing (let load balancers notice). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SHUTDOWN_DELAY_MS = 0;

  /** Shutdown: time in-flight HTTP requests and active jobs get to finish before they are cut. */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** How long a gateway trusts its in-memory copy of the connections before reloading them. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  CONNECTION_CACHE_TTL_MS = 5_000;

  /** Outbox relay: how often it looks for stored events that never reached the queue, and how old they must be. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  RELAY_INTERVAL_MS = 5_000;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  RELAY_GRACE_MS = 10_000;

  /** Decoded vendor payloads are purged this long after receipt; events and delivery history stay. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  PAYLOAD_RETENTION_DAYS = 30;

  /** Admin API requests per minute and client IP (per gateway instance); /webhooks is never limited. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  ADMIN_RATE_LIMIT_PER_MINUTE = 300;

  /** The worker process has no HTTP server: when set, it serves Prometheus metrics on this port. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  // Who may read metrics, docs and the queue dashboard, and whose X-Forwarded-For is believed.
  /** When set, /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (or the admin key); in production /metrics and /docs need one of the two. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** The address the worker's metrics server listens on (loopback unless an operator opens it). */
  @IsString()
  @Matches(/^[0-9A-Za-z.:-]+$/, { message: 'METRICS_HOST must be a host name or an IP address' })
  METRICS_HOST = '127.0.0.1';

  /** Reverse proxies whose X-Forwarded-For is believed: comma-separated addresses, CIDRs or Express's names (loopback, linklocal, uniquelocal); unset trusts none. */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** Bull Board at /admin/queues shows the queues without letting anyone pause, clean, retry or remove jobs. */
  @Transform(toBoolean)
  @IsBoolean()
  QUEUE_BOARD_READ_ONLY = true;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/** Validate raw variables; the error names each failing variable, never its value (it may be a secret). */
export function validateEnvironment(raw: Readonly<Record<string, string | undefined>>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables());
  const relevant: Record<string, string> = {};
  for (const key of [...known, 'REDIS_CLUSTER_NODES', 'ADMIN_API_KEY', 'SECRETS_KEY', 'SECRETS_KEY_PREVIOUS', 'METRICS_PORT', 'METRICS_TOKEN', 'TRUST_PROXY']) {
    const value = raw[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const env = plainToInstance(EnvironmentVariables, relevant, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  // A Set: a variable failing several checks with one message (GATEWAY_PROCESSES) says it once.
  const problems = [...new Set(errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? m : `${e.property}: ${m}`))))];
  if (env.NODE_ENV === 'production') {
    if (!env.ADMIN_API_KEY) problems.push('ADMIN_API_KEY is required when NODE_ENV=production');
    if (!env.SECRETS_KEY) problems.push('SECRETS_KEY is required when NODE_ENV=production');
  }
  if (env.TRUST_PROXY !== undefined && trustedProxies(env.TRUST_PROXY) === undefined) {
    problems.push('TRUST_PROXY must be comma-separated IP addresses, CIDRs or the names loopback, linklocal, uniquelocal');
  }
  problems.push(...redisClusterProblems(env));
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  if (env.INGRESS_MAX_BUFFERED_BYTES < env.MAX_BODY_BYTES) problems.push('INGRESS_MAX_BUFFERED_BYTES must be at least MAX_BODY_BYTES');
  problems.push(...providerOptionProblems(raw));
  if (problems.length > 0) throw new ConfigurationError(problems);
  return env;
}

/** A Redis Cluster node, as REDIS_CLUSTER_NODES lists it. */
export interface RedisClusterNode {
  host: string;
  port: number;
}

/** REDIS_CLUSTER_NODES as a list of nodes (empty when unset); undefined when an entry is not `host:port` (IPv6 as `[address]:port`). */
export function redisClusterNodes(value: string | undefined): RedisClusterNode[] | undefined {
  if (value === undefined || value.trim() === '') return [];
  const nodes: RedisClusterNode[] = [];
  for (const entry of value.split(',').map((text) => text.trim())) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) return undefined;
    nodes.push({ host: match[1] ?? match[2], port });
  }
  return nodes;
}

/**
 * A cluster needs node addresses, a QUEUE_PREFIX with a hash tag (BullMQ runs multi-key scripts,
 * which a cluster allows only on keys of one slot) and database 0 (the only one a cluster has).
 */
function redisClusterProblems(env: EnvironmentVariables): string[] {
  if (env.REDIS_CLUSTER_NODES === undefined) return [];
  const problems: string[] = [];
  if (redisClusterNodes(env.REDIS_CLUSTER_NODES) === undefined) problems.push('REDIS_CLUSTER_NODES must be host:port,host:port,... (IPv6 as [address]:port)');
  if (redisHashTag(env.QUEUE_PREFIX) === undefined) {
    problems.push('QUEUE_PREFIX must contain a hash tag such as {kyc} when REDIS_CLUSTER_NODES is set: BullMQ needs every key of a queue in one cluster slot');
  }
  const database = /^rediss?:\/\/[^/]*\/(\d+)/.exec(env.REDIS_URL)?.[1];
  if (database !== undefined && Number(database) !== 0) problems.push('REDIS_URL must select database 0 (or none) when REDIS_CLUSTER_NODES is set: a Redis Cluster has only database 0');
  return problems;
}

/** Vendors' options set through the environment (`ALLPASS_ENCRYPTION_METHOD`), checked by their adapters; secrets are checked when the connection is created. */
function providerOptionProblems(raw: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const adapter of PROVIDERS) {
    const set = Object.entries(adapter.environment.options).filter(([, variable]) => raw[variable] !== undefined && raw[variable] !== '');
    try {
      adapter.parseOptions(Object.fromEntries(set.map(([field, variable]) => [field, raw[variable]])));
    } catch (error) {
      if (!(error instanceof ConnectionConfigError)) throw error;
      problems.push(`${adapter.environment.options[error.field] ?? error.field} ${error.message.slice(error.field.length + 2)}`);
    }
  }
  return problems;
}

/** TRUST_PROXY as the list Express's `trust proxy` takes, or undefined when an entry is neither an address, a CIDR nor a name Express knows. */
export function trustedProxies(value: string): string[] | undefined {
  const entries = value.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
  return valid ? entries : undefined;
}
