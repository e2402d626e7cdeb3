// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Type-aware lint for the whole tree; formatting is Prettier's job, so no stylistic rules here. */
export default tseslint.config(
  {
    ignores: ['**/dist/', '**/node_modules/', '**/data/', '**/coverage/', 'bench/results/', 'test/faults/results/', '**/*.json'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // `_name` marks a parameter an interface requires; a rest sibling is how a field is left out of a copy.
      // A caught error (unknown) is passed on to reject as it was thrown.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.fault-spec.ts'],
    rules: {
      // @types/jest types the asymmetric matchers (expect.any, expect.objectContaining, ...) as any,
      // and every expected object holding one would otherwise need a cast.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Fakes of async dependencies (BullMQ processors, DNS lookups, handlers) stay async so that
      // a throw in them rejects, as the real ones do.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // This file is plain JavaScript outside the TypeScript project.
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The consumer package is published on its own: its code may not import the monorepo's libs.
    files: ['libs/consumer/src/**/*.ts'],
    ignores: ['libs/consumer/src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@kyc/*'], message: 'the published package must not depend on the monorepo' }] }] },
  },
  {
    // The downstream examples: plain Node scripts, run as they are in a project that installed the package.
    files: ['examples/**/*.mjs', 'examples/**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: Object.fromEntries(['process', 'console', 'Buffer'].map((name) => [name, 'readonly'])) },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: Object.fromEntries(['require', 'module', '__dirname'].map((name) => [name, 'readonly'])) },
    // CommonJS is what these files are for.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The console's browser modules: plain ES modules served as they are (no build step).
    files: ['libs/gateway/src/console/public/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'navigator',
          'fetch',
          'URLSearchParams',
          'FormData',
          'Intl',
          'requestAnimationFrame',
          'cancelAnimationFrame',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
          'console',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
