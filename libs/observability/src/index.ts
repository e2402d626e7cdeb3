export * from './metrics.service';
export * from './metrics-server';
export * from './metrics-access';
export * from './cluster-metrics';
export * from './observability.module';
export * from './logging.module';
