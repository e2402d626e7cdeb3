import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HttpShutdown } from './http-shutdown';
import { MetricsController } from './metrics.controller';
import { ReadinessState } from './readiness-state';

/** Health probes and the metrics scrape endpoint of the gateway. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController, MetricsController],
  providers: [ReadinessState, HttpShutdown],
})
export class OperationsModule {}
