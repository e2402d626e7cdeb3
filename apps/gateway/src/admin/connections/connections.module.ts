import { Module } from '@nestjs/common';
import { ConnectionChangePublisher } from '@kyc/queue';
import { IngressModule } from '../../ingress/ingress.module';
import { ConnectionsController } from './connections.controller';
import { ConnectionsService } from './connections.service';

/** `/admin/connections`; imports the ingress for its connection cache (the same instance the ingress uses). */
@Module({
  imports: [IngressModule],
  controllers: [ConnectionsController],
  providers: [ConnectionsService, ConnectionChangePublisher],
})
export class ConnectionsModule {}
