import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Metrics for every process; the gateway serves them at /metrics, the worker on METRICS_PORT. */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class ObservabilityModule {}
