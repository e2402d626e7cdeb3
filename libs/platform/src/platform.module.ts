import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, AppConfigModule } from '@kyc/config';
import { PersistenceModule } from '@kyc/persistence';
import { QueueModule } from '@kyc/queue';

/** What every process of the gateway stands on: validated config, the database, the queues. */
@Module({})
export class PlatformModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [AppConfigModule.forRoot(config), PersistenceModule, QueueModule],
    };
  }
}
