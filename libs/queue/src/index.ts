export * from './queue-names';
export * from './redis-connection';
export * from './redis-monitor.service';
export * from './event-publisher.service';
export * from './queue.module';
export * from './delivery-scheduler.service';
export * from './replay.service';
export * from './connection-events';
