export * from './verification-event';
export * from './webhook-rejection.error';
export * from './crypto';
export * from './subscription-filter';
export * from './network';
export * from './json-depth';
export * from './micro-batcher';
export * from './keyed-digest';
