import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '@kyc/config';
import { DELIVERIES_QUEUE, EVENTS_QUEUE } from '@kyc/queue';
import { adminBudgetKey } from '../admin-rate-limit';
import { queueBoardAuth } from './queue-board-auth';

/** Bull Board at /admin/queues (the internal queues), behind the admin key. */
@Module({
  imports: [
    BullBoardModule.forRootAsync({
      // ThrottlerStorage: the admin API's (global) rate-limit counters, shared with the dashboard.
      inject: [AppConfig, ThrottlerStorage],
      useFactory: (config: AppConfig, storage: ThrottlerStorage) => ({
        route: '/admin/queues',
        adapter: ExpressAdapter,
        middleware: queueBoardAuth(config.adminApiKey, async (request) => {
          const limit = config.env.ADMIN_RATE_LIMIT_PER_MINUTE;
          return (await storage.increment(adminBudgetKey(request.ip ?? 'unknown'), 60_000, limit, 60_000, 'default')).isBlocked;
        }),
        boardOptions: { uiConfig: { boardTitle: 'KYC gateway' } },
      }),
    }),
    BullBoardModule.forFeature({ name: EVENTS_QUEUE, adapter: BullMQAdapter }, { name: DELIVERIES_QUEUE, adapter: BullMQAdapter }),
  ],
})
export class QueueBoardModule {}
