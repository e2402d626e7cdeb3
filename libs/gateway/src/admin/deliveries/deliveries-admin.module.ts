import { Module } from '@nestjs/common';
import { BulkRetryService } from './bulk-retry.service';
import { DeliveriesController } from './deliveries.controller';

/** `/admin/deliveries`: list, retry one, retry by filter. */
@Module({
  controllers: [DeliveriesController],
  providers: [BulkRetryService],
})
export class DeliveriesAdminModule {}
