import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROVIDERS } from './registry';

const ROOT = join(__dirname, '../../..');

/** docs/vendors.md shows every vendor's mapping table and choices; they must not drift from the adapters' docs. */
describe('mapping documentation', () => {
  const vendorsPage = readFileSync(join(ROOT, 'docs/vendors.md'), 'utf8');

  it.each(PROVIDERS.map((provider) => provider.name))('docs/vendors.md contains %s/MAPPING.md verbatim', (name) => {
    const mapping = readFileSync(join(__dirname, name, 'MAPPING.md'), 'utf8').trim();
    expect(vendorsPage).toContain(mapping);
  });

  it('README and docs link only to files that exist', () => {
    const pages = ['README.md', ...['ingress', 'vendors', 'delivery', 'admin-api', 'operations', 'security', 'reliability', 'performance', 'testing'].map((page) => `docs/${page}.md`)];
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        expect({ page, target, exists: existsSync(resolve(ROOT, page, '..', target)) }).toEqual({ page, target, exists: true });
      }
    }
  });
});
