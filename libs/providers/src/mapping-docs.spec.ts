import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from './registry';

/** The README shows every vendor's mapping table and choices; they must not drift from the adapters' docs. */
describe('mapping documentation', () => {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

  it.each(PROVIDERS.map((provider) => provider.name))('README contains %s/MAPPING.md verbatim', (name) => {
    const mapping = readFileSync(join(__dirname, name, 'MAPPING.md'), 'utf8').trim();
    expect(readme).toContain(mapping);
  });
});
