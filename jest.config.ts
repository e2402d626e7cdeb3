import type { Config } from 'jest';

/** The monorepo's path aliases (tsconfig.base.json): the consumer package's modules one by one, then each lib's index. */
export const moduleNameMapper = {
  '^@kyc/consumer/(.*)$': '<rootDir>/libs/consumer/src/$1',
  '^@kyc/(.*)$': '<rootDir>/libs/$1/src',
};

const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }] as [string, Record<string, unknown>] },
};

/** Two tiers: fast unit specs beside the code, and e2e specs against real Redis, SQLite and PostgreSQL. */
const config: Config = {
  rootDir: '.',
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...base, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/delivered-events.setup.ts'],
    },
  ],
};

export default config;
