import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig, EnvironmentVariables } from '@kyc/config';
import { redisOptions } from './redis-connection';

export type ConnectionChange = 'created' | 'updated' | 'rotated' | 'deleted';

export interface ConnectionChangedMessage {
  connectionId: string;
  change: ConnectionChange;
}

/** Under QUEUE_PREFIX, so deployments sharing one Redis do not reload each other's gateways. */
export function connectionsChangedChannel(queuePrefix: string): string {
  return `${queuePrefix}:connections-changed`;
}

/**
 * Tells every gateway that a connection changed, so each reloads its connection cache within
 * milliseconds instead of CONNECTION_CACHE_TTL_MS. Best effort: while Redis is away the message
 * is lost and the periodic reload remains the fallback.
 */
@Injectable()
export class ConnectionChangePublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionChangePublisher.name);
  private readonly client: Redis;
  private readonly channel: string;

  constructor(config: AppConfig) {
    // Producer options: no offline queue, so a publish fails at once while Redis is down.
    this.client = new Redis({ ...redisOptions(config.env.REDIS_URL, 'producer'), lazyConnect: true });
    // Outages are reported by RedisMonitor; without a listener ioredis would print each error.
    this.client.on('error', () => undefined);
    this.channel = connectionsChangedChannel(config.env.QUEUE_PREFIX);
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }

  /** Fire and forget: never throws, never delays the admin request that made the change. */
  publish(message: ConnectionChangedMessage): void {
    this.client
      .publish(this.channel, JSON.stringify(message))
      .catch((error: Error) => this.logger.warn(`other gateways will see ${message.change} connection ${message.connectionId} at their next periodic reload: ${error.message}`));
  }
}

/**
 * Publish one change from outside a Nest app (scripts that write connections directly, such as the
 * simulator's local demo connection). Best effort, like the publisher: false when Redis did not take it.
 */
export async function announceConnectionChange(env: Pick<EnvironmentVariables, 'REDIS_URL' | 'QUEUE_PREFIX'>, message: ConnectionChangedMessage): Promise<boolean> {
  const client = new Redis({ ...redisOptions(env.REDIS_URL, 'producer'), lazyConnect: true });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.publish(connectionsChangedChannel(env.QUEUE_PREFIX), JSON.stringify(message));
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export interface ConnectionChangeSubscription {
  /** Subscribed right now: every change published from here on will arrive. */
  readonly live: boolean;
  close(): void;
}

/**
 * Calls `onChange` on every change message, and each time the subscription is (re)established:
 * messages published while it was down are lost, so a reconnection must count as a change.
 * A connection of its own, since a subscribed connection can run no other command.
 */
export function subscribeToConnectionChanges(env: Pick<EnvironmentVariables, 'REDIS_URL' | 'QUEUE_PREFIX'>, onChange: () => void): ConnectionChangeSubscription {
  const channel = connectionsChangedChannel(env.QUEUE_PREFIX);
  // Subscribed again by hand on each 'ready' (not autoResubscribe), to know when it is in effect.
  const client = new Redis({ ...redisOptions(env.REDIS_URL, 'producer'), autoResubscribe: false });
  let live = false;
  client.on('error', () => undefined);
  client.on('ready', () =>
    void client.subscribe(channel).then(() => {
      live = true;
      onChange();
    }, () => undefined),
  );
  client.on('close', () => (live = false));
  client.on('message', (received: string) => {
    if (received === channel) onChange();
  });
  return {
    get live() {
      return live;
    },
    close: () => {
      live = false;
      client.disconnect();
    },
  };
}
