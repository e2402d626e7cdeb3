import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { MetricsServer } from '@kyc/observability';
import { PlatformModule } from '@kyc/platform';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { DeliveryService } from './delivery/delivery.service';
import { HttpChannel } from './delivery/http.channel';
import { QueueChannel } from './delivery/queue.channel';
import { BulkQueueDelivery } from './delivery/bulk-queue-delivery';
import { DeliveryReconciler } from './delivery/delivery-reconciler';
import { SubscriberHealth } from './delivery/subscriber-health';
import { DispatchEventProcessor } from './dispatch/dispatch-event.processor';
import { DispatcherService } from './dispatch/dispatcher.service';
import { OpsEvents } from './ops/ops-events';
import { OpsMonitor } from './ops/ops-monitor';
import { OutboxRelay } from './relay/outbox-relay';
import { PayloadRetention } from './retention/payload-retention';
import { RefusalRetention } from './retention/refusal-retention';
import { SubscriberCache } from './subscribers/subscriber.cache';
import { VerificationBackfill } from './verifications/verification-backfill';
import { ActiveJobs, WorkerDrain } from './worker-drain';

/** The worker's own parts, without the platform (so the all-in-one process can add them beside the gateway's). */
@Module({
  providers: [
    SubscriberCache,
    DispatcherService,
    DispatchEventProcessor,
    QueueChannel,
    BulkQueueDelivery,
    HttpChannel,
    SubscriberHealth,
    DeliveryService,
    DeliveryProcessor,
    DeliveryReconciler,
    OutboxRelay,
    PayloadRetention,
    RefusalRetention,
    VerificationBackfill,
    OpsEvents,
    OpsMonitor,
    ActiveJobs,
    WorkerDrain,
  ],
  exports: [OutboxRelay, DeliveryReconciler, SubscriberCache, PayloadRetention, RefusalRetention, VerificationBackfill, OpsMonitor],
})
export class WorkerFeaturesModule {}

@Module({})
export class WorkerModule {
  static forRoot(config?: AppConfig): DynamicModule {
    // Only the worker's own process serves metrics on METRICS_PORT; the all-in-one process has /metrics.
    return { module: WorkerModule, imports: [PlatformModule.forRoot(config), WorkerFeaturesModule], providers: [MetricsServer] };
  }
}
