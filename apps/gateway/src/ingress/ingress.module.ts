import { Module } from '@nestjs/common';
import { ConnectionCache } from './connection-cache.service';
import { DefaultConnectionsService } from './default-connections.service';
import { IngressHttpHandler } from './ingress-http.handler';
import { IngressService } from './ingress.service';

/** Ingress is served by IngressHttpHandler, mounted by configureHttpApp: no controller. */
@Module({
  providers: [IngressService, IngressHttpHandler, ConnectionCache, DefaultConnectionsService],
  exports: [ConnectionCache, IngressHttpHandler],
})
export class IngressModule {}
