import { Module } from '@nestjs/common';
import { ConnectionChangeBus } from './connection-change.bus';

/** The connection change bus, one per process: the admin API and the ingress both import this module to share it. */
@Module({ providers: [ConnectionChangeBus], exports: [ConnectionChangeBus] })
export class ConnectionChangesModule {}
