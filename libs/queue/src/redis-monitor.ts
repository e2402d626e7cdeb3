import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { createRedisClient, describeRedisLocation, type RedisClient } from './redis-connection';

/**
 * Watches Redis and says, in one line per change, when it goes away and comes back. BullMQ's own
 * connection errors are routed here (see `watch`) instead of flooding the log with stack traces.
 */
@Injectable()
export class RedisMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly client: RedisClient;
  private up: boolean | undefined;

  constructor(private readonly config: AppConfig) {
    this.client = createRedisClient(config.env, 'producer', { lazyConnect: true });
    this.client.on('ready', () => this.changed(true));
    this.client.on('error', (error: Error) => this.changed(false, error));
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect().catch((error: Error) => this.changed(false, error));
  }

  get isUp(): boolean {
    return this.up === true;
  }

  /** Swallow (and summarise) the 'error' events of a BullMQ queue or worker. */
  watch(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }): void {
    emitter.on('error', (error: Error) => this.report(error));
  }

  /** An error of a BullMQ queue or worker: connection trouble is this monitor's to report, once. */
  report(error: Error): void {
    if (!isConnectionError(error)) this.logger.error(`queue error: ${error.message}`);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  private changed(up: boolean, error?: Error): void {
    if (this.up === up) return;
    this.up = up;
    const where = describeRedisLocation(this.config.env);
    const variable = this.config.env.REDIS_CLUSTER_NODES ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
    if (up) {
      this.logger.log(`connected to ${where}`);
    } else {
      this.logger.error(
        `Redis is not reachable at ${where} (${error?.message ?? 'disconnected'}). Start it (e.g. \`redis-server --daemonize yes\`) or set ${variable}. ` +
          'Webhooks are still accepted and stored; they are queued once Redis is back.',
      );
    }
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}

/** Redis away, or a cluster between two layouts (a failover: redirections, CLUSTERDOWN, TRYAGAIN until the slots settle). */
function isConnectionError(error: Error & { code?: string }): boolean {
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH'].includes(error.code ?? '') ||
    /connect|connection|closed|ETIMEDOUT|ECONNRE|cluster|CLUSTERDOWN|TRYAGAIN|MOVED|slots cache/i.test(error.message)
  );
}
