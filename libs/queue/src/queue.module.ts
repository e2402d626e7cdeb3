import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { EventPublisher } from './event-publisher';
import { DeliveryScheduler } from './delivery-scheduler';
import { ReplayService } from './replay.service';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from './queue-names';
import { QueueConnection, QueueConnectionModule } from './queue-connection';
import { RedisMonitor } from './redis-monitor';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [QueueConnectionModule],
      inject: [AppConfig, QueueConnection],
      useFactory: (config: AppConfig, shared: QueueConnection) => ({
        connection: shared.client,
        prefix: config.env.QUEUE_PREFIX,
      }),
    }),
    // The worker's side of the events queue (blocking connection); producers use EventPublisher.
    BullModule.registerQueue({ name: EVENTS_QUEUE }, { name: DELIVERIES_QUEUE }),
  ],
  providers: [RedisMonitor, EventPublisher, DeliveryScheduler, ReplayService],
  exports: [BullModule, RedisMonitor, EventPublisher, DeliveryScheduler, ReplayService],
})
export class QueueModule {}
