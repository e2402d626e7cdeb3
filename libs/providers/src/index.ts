export * from './provider.interface';
export * from './required-headers';
export * from './registry';
