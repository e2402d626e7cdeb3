import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { PlatformModule } from '@kyc/platform';
import { DispatchEventProcessor } from './dispatch/dispatch-event.processor';
import { OutboxRelay } from './relay/outbox-relay.service';

/** The worker's own parts, without the platform (so the all-in-one process can add them beside the gateway's). */
@Module({ providers: [DispatchEventProcessor, OutboxRelay], exports: [OutboxRelay] })
export class WorkerFeaturesModule {}

@Module({})
export class WorkerModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [PlatformModule.forRoot(config), WorkerFeaturesModule] };
  }
}
