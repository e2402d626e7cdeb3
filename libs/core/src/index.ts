export * from './verification-event';
export * from './domain.error';
export * from './webhook-rejection.error';
export * from './secret-box';
export * from './subscription-filter';
export * from './network';
export * from './json-depth';
export * from './micro-batcher';
export * from './private-files';
export * from './keyed-digest';
export * from './verification-state';
export * from './promises';
export * from './is-record';
// Operational events are part of the event contract, owned by the consumer package.
export * from '@kyc/consumer/ops-event';
export * from '@kyc/consumer/redis-hash-tag';
