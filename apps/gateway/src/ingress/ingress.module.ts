import { Module } from '@nestjs/common';
import { ConnectionCache } from './connection-cache.service';
import { DefaultConnectionsService } from './default-connections.service';
import { IngressController } from './ingress.controller';
import { IngressService } from './ingress.service';

@Module({
  controllers: [IngressController],
  providers: [IngressService, ConnectionCache, DefaultConnectionsService],
  exports: [ConnectionCache],
})
export class IngressModule {}
