export type { VerificationEvent, VerificationStatus, VerificationSubject } from '@kyc/core';
export * from './verification-event.schema';
export * from './queue-consumer';
export * from './http-delivery';
