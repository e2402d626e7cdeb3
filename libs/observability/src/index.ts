export * from './metrics.service';
export * from './metrics-server.service';
export * from './observability.module';
export * from './logging.module';
