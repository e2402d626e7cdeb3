import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { InboundRefusalStore } from '@kyc/persistence';
import { RetentionTask } from './retention-task';

/** Deletes refused-request records older than REFUSAL_RETENTION_DAYS. */
@Injectable()
export class RefusalRetention extends RetentionTask {
  protected readonly logger = new Logger(RefusalRetention.name);

  constructor(
    private readonly config: AppConfig,
    private readonly refusals: InboundRefusalStore,
  ) {
    super();
  }

  protected get retentionDays(): number {
    return this.config.env.REFUSAL_RETENTION_DAYS;
  }

  protected purgeBatch(before: Date, batchSize: number): Promise<number> {
    return this.refusals.purgeBefore(before, batchSize);
  }

  protected describe(count: number, before: Date): string {
    return `deleted ${count} refusal record(s) received before ${before.toISOString()}`;
  }
}
