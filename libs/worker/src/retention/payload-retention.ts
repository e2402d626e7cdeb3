import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { MetricsService } from '@kyc/observability';
import { RetentionQueries } from '@kyc/persistence';
import { RetentionTask } from './retention-task';

/** Purges decoded vendor payloads older than PAYLOAD_RETENTION_DAYS; events and delivery history stay. */
@Injectable()
export class PayloadRetention extends RetentionTask {
  protected readonly logger = new Logger(PayloadRetention.name);

  constructor(
    private readonly config: AppConfig,
    private readonly queries: RetentionQueries,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  protected get retentionDays(): number {
    return this.config.env.PAYLOAD_RETENTION_DAYS;
  }

  protected async purgeBatch(before: Date, batchSize: number): Promise<number> {
    const purged = await this.queries.purgePayloadsBefore(before, batchSize);
    this.metrics.payloadsPurgedCount(purged);
    return purged;
  }

  protected describe(count: number, before: Date): string {
    return `purged the decoded payloads of ${count} event(s) received before ${before.toISOString()}`;
  }
}
