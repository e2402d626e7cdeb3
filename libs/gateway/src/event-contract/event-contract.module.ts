import { Module } from '@nestjs/common';
import { EventContractController } from './event-contract.controller';

/** The schema of what subscribers receive, and the AsyncAPI document of the delivery side. */
@Module({ controllers: [EventContractController] })
export class EventContractModule {}
