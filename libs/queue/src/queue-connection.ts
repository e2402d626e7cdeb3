import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { createRedisClient, type RedisClient } from './redis-connection';

/**
 * The connection the internal queues and their workers share (each BullMQ worker opens its own
 * blocking copy). An instance rather than options, since BullMQ builds only single-node clients
 * from options. Being shared, BullMQ never closes it: this does, at shutdown, after the worker's
 * WorkerDrain has closed the BullMQ workers (beforeApplicationShutdown).
 */
@Injectable()
export class QueueConnection implements OnApplicationShutdown {
  readonly client: RedisClient;

  constructor(config: AppConfig) {
    this.client = createRedisClient(config.env, 'worker');
    // BullMQ reports through its queues and workers, and RedisMonitor reports outages once.
    this.client.on('error', () => undefined);
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}

@Module({ providers: [QueueConnection], exports: [QueueConnection] })
export class QueueConnectionModule {}
