export * from './metrics.service';
export * from './metrics-server';
export * from './metrics-access';
export * from './observability.module';
export * from './logging.module';
