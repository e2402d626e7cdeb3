export * from './platform.module';
export * from './bootstrap';
