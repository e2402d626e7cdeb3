import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { withTimeout } from '@kyc/core';
import { RedisMonitor } from '@kyc/queue';
import { ReadinessState } from './readiness-state';

const CHECK_TIMEOUT_MS = 1_500;

/** Probes for orchestrators; unauthenticated, like /metrics. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisMonitor,
    private readonly readiness: ReadinessState,
  ) {}

  /** 200 while the process runs and serves HTTP: restart it only when this fails. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** 200 when it can take traffic: database and Redis answer and it is not shutting down; 503 otherwise. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => (this.readiness.shuttingDown ? this.indicators.check('lifecycle').down('shutting down') : this.indicators.check('lifecycle').up()),
      () => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
      async () => {
        const redis = this.indicators.check('redis');
        return (await withTimeout(this.redis.ping(), CHECK_TIMEOUT_MS, () => false)) ? redis.up() : redis.down('not reachable');
      },
    ]);
  }
}
