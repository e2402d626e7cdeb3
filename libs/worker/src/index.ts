export * from './worker.module';
export { DeliveryReconciler } from './delivery/delivery-reconciler';
export { PayloadRetention } from './retention/payload-retention';
export { RefusalRetention } from './retention/refusal-retention';
export { resealTallies, rotateSecrets } from './secrets/rotate-secrets';
export { SubscriberCache } from './subscribers/subscriber.cache';
export { VerificationBackfill } from './verifications/verification-backfill';
export { OpsEvents } from './ops/ops-events';
export { OpsMonitor } from './ops/ops-monitor';
