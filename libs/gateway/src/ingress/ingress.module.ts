import { Module } from '@nestjs/common';
import { ConnectionChangesModule } from '@kyc/queue';
import { ConnectionCache } from './connection.cache';
import { DefaultConnectionsService } from './default-connections.service';
import { IngressHttpHandler } from './ingress-http.handler';
import { IngressService } from './ingress.service';
import { RefusalRecorder } from './refusal-recorder';

/** Ingress is served by IngressHttpHandler, mounted by configureHttpApp: no controller. */
@Module({
  imports: [ConnectionChangesModule],
  providers: [IngressService, IngressHttpHandler, ConnectionCache, DefaultConnectionsService, RefusalRecorder],
  exports: [ConnectionCache, IngressHttpHandler, RefusalRecorder],
})
export class IngressModule {}
