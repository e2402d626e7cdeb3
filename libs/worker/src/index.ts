export * from './worker.module';
export { DeliveryReconciler } from './delivery/reconciler.service';
export { PayloadRetention } from './retention/payload-retention.service';
export { RefusalRetention } from './retention/refusal-retention.service';
export { resealTallies, rotateSecrets } from './secrets/rotate-secrets';
export { SubscriberCache } from './subscribers/subscriber-cache.service';
export { VerificationBackfill } from './verifications/verification-backfill.service';
