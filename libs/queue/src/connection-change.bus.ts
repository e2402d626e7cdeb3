import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig, EnvironmentVariables } from '@kyc/config';
import { createRedisClient, createSubscriberClient, type RedisClient, type RedisLocation } from './redis-connection';

export type ConnectionChange = 'created' | 'updated' | 'rotated' | 'deleted';

export interface ConnectionChangedMessage {
  connectionId: string;
  change: ConnectionChange;
}

/** Under QUEUE_PREFIX, so deployments sharing one Redis do not reload each other's gateways. */
export function connectionsChangedChannel(queuePrefix: string): string {
  return `${queuePrefix}:connections-changed`;
}

/** Where Redis is and the prefix that names the channel. */
export type ConnectionChangeEnvironment = RedisLocation & Pick<EnvironmentVariables, 'QUEUE_PREFIX'>;

/**
 * Publish one change from outside a Nest app (scripts that write connections directly, such as the
 * simulator's local demo connection). Best effort, like the bus: false when Redis did not take it.
 */
export async function announceConnectionChange(env: ConnectionChangeEnvironment, message: ConnectionChangedMessage): Promise<boolean> {
  const client = createRedisClient(env, 'producer', { lazyConnect: true });
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
 * messages published while it was down are lost, so a resubscription must count as a change.
 * A connection of its own, since a subscribed connection can run no other command. When it ends,
 * a new one subscribes again, on the next node of a cluster (the one it had may be gone for good).
 */
export function subscribeToConnectionChanges(env: ConnectionChangeEnvironment, onChange: () => void): ConnectionChangeSubscription {
  const channel = connectionsChangedChannel(env.QUEUE_PREFIX);
  let live = false;
  let closed = false;
  let turn = 0;
  let failures = 0;
  let client: Redis | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = () => {
    const current = createSubscriberClient(env, turn++);
    client = current;
    current.on('error', () => undefined);
    current.on(
      'ready',
      () =>
        void current.subscribe(channel).then(
          () => {
            live = true;
            failures = 0;
            onChange();
          },
          () => current.disconnect(),
        ),
    );
    current.on('message', (received: string) => {
      if (received === channel) onChange();
    });
    current.once('end', () => {
      live = false;
      if (!closed) retry = setTimeout(connect, Math.min(++failures * 200, 2_000));
    });
  };
  connect();
  return {
    get live() {
      return live;
    },
    close: () => {
      closed = true;
      live = false;
      clearTimeout(retry);
      client?.disconnect();
    },
  };
}

/** What listens to connection changes: it must have taken the change in when its promise settles. */
export type ConnectionChangeListener = () => Promise<void> | void;

/**
 * The one way connection changes travel. `announce` reaches this process's listeners at once and
 * every other gateway through Redis; `subscribe` hears both (and each (re)connection of the Redis
 * feed, which counts as a change). So the admin API tells the ingress about a change without
 * knowing it, and a gateway whose Redis is away still sees its own changes at once.
 */
@Injectable()
export class ConnectionChangeBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionChangeBus.name);
  private readonly listeners = new Set<ConnectionChangeListener>();
  private readonly publisher: RedisClient;
  private readonly channel: string;

  constructor(private readonly config: AppConfig) {
    // Producer options: no offline queue, so a publish fails at once while Redis is down.
    this.publisher = createRedisClient(config.env, 'producer', { lazyConnect: true });
    // Outages are reported by RedisMonitor; without a listener ioredis would print each error.
    this.publisher.on('error', () => undefined);
    this.channel = connectionsChangedChannel(config.env.QUEUE_PREFIX);
  }

  async onModuleInit(): Promise<void> {
    await this.publisher.connect().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.publisher.disconnect();
  }

  /**
   * After the change is committed. Resolves once this process's listeners have taken it in, so
   * the change is in effect here when the admin API answers. Other gateways are told fire and
   * forget: a Redis outage must not fail the request; they catch up at their periodic reload.
   */
  async announce(message: ConnectionChangedMessage): Promise<void> {
    this.publisher
      .publish(this.channel, JSON.stringify(message))
      .catch((error: Error) => this.logger.warn(`other gateways will see ${message.change} connection ${message.connectionId} at their next periodic reload: ${error.message}`));
    await Promise.all([...this.listeners].map((listener) => this.tell(listener, `${message.change} connection ${message.connectionId}`)));
  }

  /** Changes announced here and by any other process; `live` says whether the Redis feed is subscribed right now. */
  subscribe(listener: ConnectionChangeListener): ConnectionChangeSubscription {
    this.listeners.add(listener);
    const feed = subscribeToConnectionChanges(this.config.env, () => void this.tell(listener, 'a change from the Redis feed'));
    return {
      get live() {
        return feed.live;
      },
      close: () => {
        this.listeners.delete(listener);
        feed.close();
      },
    };
  }

  /** Never rejects: one listener's failure must neither fail the admin request nor reach the others. */
  private async tell(listener: ConnectionChangeListener, change: string): Promise<void> {
    try {
      await listener();
    } catch (error) {
      this.logger.warn(`a connection change listener missed ${change}: ${(error as Error).message}`);
    }
  }
}
