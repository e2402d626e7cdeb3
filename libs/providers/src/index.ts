export * from './provider.interface';
export * from './required-headers';
export * from './registry';
export * from './define-provider';
export * from './options';
export * from './alert-options';
