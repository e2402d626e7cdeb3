import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminJsonMiddleware } from './admin-json.middleware';
import { SubscribersAdminModule } from './subscribers/subscribers-admin.module';
import { ConnectionsModule } from './connections/connections.module';
import { EventsAdminModule } from './events/events-admin.module';
import { VerificationsAdminModule } from './verifications/verifications-admin.module';
import { DeliveriesAdminModule } from './deliveries/deliveries-admin.module';
import { InboundAdminModule } from './inbound/inbound-admin.module';
import { OverviewAdminModule } from './overview/overview-admin.module';
import { ProvidersAdminModule } from './providers/providers.controller';
import { AdminRateLimitModule } from './admin-rate-limit';
import { QueueBoardModule } from './queues/queue-board.module';

/** The admin REST API under `/admin`: bearer key, JSON bodies, validated input. */
@Module({
  imports: [
    SubscribersAdminModule,
    ConnectionsModule,
    EventsAdminModule,
    VerificationsAdminModule,
    DeliveriesAdminModule,
    InboundAdminModule,
    OverviewAdminModule,
    ProvidersAdminModule,
    AdminRateLimitModule,
    QueueBoardModule,
  ],
  providers: [AdminAuthGuard],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminJsonMiddleware).forRoutes({ path: 'admin/*path', method: RequestMethod.ALL });
  }
}
