import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROVIDERS } from './registry';

const ROOT = join(__dirname, '../../..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** Relative link targets of a Markdown page (anchors dropped, URLs skipped). */
function links(page: string): string[] {
  const text = readFileSync(join(ROOT, page), 'utf8');
  return [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map(([, target]) => target).filter((target) => !/^[a-z]+:/.test(target));
}

/** The docs point at each vendor's MAPPING.md (kept beside its adapter) instead of copying it, and every link resolves. */
describe('documentation links', () => {
  it.each(PROVIDERS.map((provider) => provider.name))('docs/vendors.md links to %s/MAPPING.md, which exists', (name) => {
    expect(links('docs/vendors.md')).toContain(`../libs/providers/src/${name}/MAPPING.md`);
    expect(existsSync(join(__dirname, name, 'MAPPING.md'))).toBe(true);
  });

  it.each(PAGES)('%s links only to files that exist', (page) => {
    for (const target of links(page)) expect({ target, exists: existsSync(resolve(ROOT, page, '..', target)) }).toEqual({ target, exists: true });
  });

  it('README links to every page of docs/', () => {
    const linked = new Set(links('README.md'));
    for (const page of PAGES.filter((each) => each.startsWith('docs/'))) expect(linked).toContain(page);
  });
});
