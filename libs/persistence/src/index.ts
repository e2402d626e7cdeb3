export * from './entities';
export * from './migrations';
export * from './database-options';
export * from './storage-errors';
export * from './event.store';
export * from './connection.store';
export * from './inbound-refusal.store';
export * from './persistence.module';
