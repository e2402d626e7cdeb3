// @ts-check
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineConfig } from 'tsup';

/**
 * The package build: CommonJS and ESM bundles with their declarations, for Node 20. bullmq (peer)
 * and standardwebhooks stay imports; the sources import nothing else, so nothing of the monorepo
 * is in the output. The JSON Schema is written beside them from the built code itself.
 */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['cjs', 'esm'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
  dts: true,
  tsconfig: 'tsconfig.build.json',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  async onSuccess() {
    // A computed specifier: tsup bundles this file, and must not try to resolve the output ahead of time.
    const built = pathToFileURL(resolve('dist/index.mjs')).href;
    const { verificationEventJsonSchema } = await import(built);
    await writeFile('dist/verification-event.schema.json', `${JSON.stringify(verificationEventJsonSchema(), null, 2)}\n`);
  },
});
