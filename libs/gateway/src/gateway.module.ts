import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { PlatformModule } from '@kyc/platform';
import { AdminModule } from './admin/admin.module';
import { ConsoleModule } from './console/console.module';
import { EventContractModule } from './event-contract/event-contract.module';
import { IngressModule } from './ingress/ingress.module';
import { OperationsModule } from './operations/operations.module';

/** The gateway's own parts, without the platform: ingress, admin API, console, health and metrics, the event contract's documents. */
@Module({ imports: [IngressModule, AdminModule, ConsoleModule, OperationsModule, EventContractModule] })
export class GatewayFeaturesModule {}

@Module({})
export class GatewayModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return { module: GatewayModule, imports: [PlatformModule.forRoot(config), GatewayFeaturesModule] };
  }
}
