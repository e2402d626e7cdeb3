export * from './platform.module';
export * from './bootstrap';
export * from './periodic-task';
export * from './reloading-cache';
export * from './cluster';
