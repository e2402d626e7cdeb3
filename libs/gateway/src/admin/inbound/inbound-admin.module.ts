import { Module } from '@nestjs/common';
import { InboundController } from './inbound.controller';

/** `/admin/inbound`: the log of refused ingress requests. */
@Module({ controllers: [InboundController] })
export class InboundAdminModule {}
