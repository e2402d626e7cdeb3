import type { Config } from 'jest';
import { moduleNameMapper } from '../../jest.config';

/**
 * The fault-injection suite (`npm run test:faults`): its own config, so `npm test` never runs it.
 * It drives the compiled apps in dist/, which the npm script builds first.
 */
const config: Config = {
  rootDir: '../..',
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }] },
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  testTimeout: 600_000,
};

export default config;
