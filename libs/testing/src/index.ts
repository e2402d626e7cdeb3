export * from './test-config';
export * from './test-databases';
export * from './redis-server';
export * from './inbound-webhook';
export * from './process-helpers';
export * from './source-revision';
export * from './verification-events';
export * from './allpass-crypto';
