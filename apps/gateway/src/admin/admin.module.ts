import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminJsonMiddleware } from './admin-json.middleware';
import { SubscribersController } from './subscribers/subscribers.controller';

/** The admin REST API under `/admin`: bearer key, JSON bodies, validated input. */
@Module({
  controllers: [SubscribersController],
  providers: [AdminAuthGuard],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminJsonMiddleware).forRoutes({ path: 'admin/*path', method: RequestMethod.ALL });
  }
}
