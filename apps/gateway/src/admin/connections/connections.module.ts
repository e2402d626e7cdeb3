import { Module } from '@nestjs/common';
import { ConnectionChangesModule } from '@kyc/queue';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';

/** `/admin/connections`; each change goes out on the connection change bus, which the ingress listens to. */
@Module({
  imports: [ConnectionChangesModule],
  controllers: [ConnectionsController],
  providers: [ConnectionsService],
})
export class ConnectionsModule {}
