import { Module } from '@nestjs/common';
import { SubscribersController } from './subscribers.controller';
import { SubscribersService } from './subscribers.service';

/** `/admin/subscribers`: create, list, change, delete. */
@Module({
  controllers: [SubscribersController],
  providers: [SubscribersService],
})
export class SubscribersAdminModule {}
