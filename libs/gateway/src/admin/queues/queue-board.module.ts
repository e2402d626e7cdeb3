import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BULL_BOARD_INSTANCE, BullBoardInstance, BullBoardModule } from '@bull-board/nestjs';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { Queue } from 'bullmq';
import { AppConfig } from '@kyc/config';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@kyc/queue';
import { spendAdminBudget } from '../admin-rate-limit';
import { queueBoardAuth } from './queue-board-auth';

/** Adds the internal queues to the board, read-only unless QUEUE_BOARD_READ_ONLY=false (Bull Board's `forFeature` takes no configuration). */
@Injectable()
class QueueBoardQueues implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    @Inject(BULL_BOARD_INSTANCE) private readonly board: BullBoardInstance,
    @InjectQueue(EVENTS_QUEUE) private readonly events: Queue,
    @InjectQueue(DELIVERIES_QUEUE) private readonly deliveries: Queue,
  ) {}

  onModuleInit(): void {
    const readOnlyMode = this.config.env.QUEUE_BOARD_READ_ONLY;
    for (const queue of [this.events, this.deliveries]) this.board.addQueue(new BullMQAdapter(queue, { readOnlyMode }));
  }
}

/** Bull Board at /admin/queues (the internal queues), behind the admin key. */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      // ThrottlerStorage: the admin API's (global) rate-limit counters, shared with the dashboard.
      inject: [AppConfig, ThrottlerStorage],
      useFactory: (config: AppConfig, storage: ThrottlerStorage) => ({
        route: '/admin/queues',
        adapter: ExpressAdapter,
        middleware: queueBoardAuth(config.adminApiKey, config.env.QUEUE_BOARD_READ_ONLY, (request) => spendAdminBudget(storage, config, request)),
        boardOptions: { uiConfig: { boardTitle: 'KYC gateway' } },
      }),
    }),
  ],
  providers: [QueueBoardQueues],
})
export class QueueBoardModule {}
