import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, AppConfigModule } from '@kyc/config';
import { LoggingModule, LoggingOptions, ObservabilityModule } from '@kyc/observability';
import { PersistenceModule } from '@kyc/persistence';
import { QueueModule } from '@kyc/queue';

/** What every process of the gateway stands on: validated config, logs, metrics, the database, the queues. */
@Module({})
export class PlatformModule {
  static forRoot(config?: AppConfig, logging: LoggingOptions = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [AppConfigModule.forRoot(config), LoggingModule.forRoot(logging), PersistenceModule, QueueModule, ObservabilityModule],
    };
  }
}
