import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from './registry';

/**
 * A simulator that borrowed the adapter's encryption or signing code would agree with the adapter
 * even when both are wrong. So a simulator may import only node built-ins, types, and its vendor's
 * lists of type names (UPPER_CASE constants of `<vendor>.mapping.ts`), and the shared sender of
 * configured custom headers (`simulator-headers.ts`): nothing that encodes, decodes, encrypts or signs.
 */
const IMPORT = /^\s*import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm;

function forbiddenImports(vendor: string, source: string): string[] {
  const problems: string[] = [];
  for (const [statement, typeOnly, names, from] of source.matchAll(IMPORT)) {
    if (typeOnly || from.startsWith('node:')) continue;
    const values = names
      .replace(/[{}]/g, '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '' && !name.startsWith('type '));
    const constantsOnly = values.every((name) => /^[A-Z][A-Z0-9_]*$/.test(name));
    if (from === `./${vendor}.mapping` && constantsOnly) continue;
    if (from === '../simulator-headers') continue;
    problems.push(statement.trim());
  }
  if (/\brequire\s*\(|\bimport\s*\(/.test(source)) problems.push('require() or import()');
  return problems;
}

describe('simulators are independent of the adapters', () => {
  it.each(PROVIDERS.map((provider) => [provider.name]))('%s.simulator.ts imports no adapter code', (vendor) => {
    const source = readFileSync(join(__dirname, vendor, `${vendor}.simulator.ts`), 'utf8');
    expect(source).toMatch(IMPORT); // the pattern does see its imports
    expect(forbiddenImports(vendor, source)).toEqual([]);
  });

  it('the check itself refuses the imports it is meant to refuse', () => {
    const bad = [
      "import { encryptGcm } from './allpass.crypto';",
      "import { hmacSha256 } from '@kyc/core';",
      "import { verifyBodyHmac } from '../families/body-hmac';",
      "import { decodeWhsecSecret } from './verifik.signature';",
      "import { classifyVerifikType } from './verifik.mapping';",
      "import { parseAllpassOptions } from './allpass.options';",
      "import {\n  requiredHeaderValues,\n} from '../required-headers';",
      "const crypto = require('./allpass.crypto');",
    ];
    for (const line of bad) expect({ line, refused: forbiddenImports(line.includes('verifik') ? 'verifik' : 'allpass', line).length > 0 }).toEqual({ line, refused: true });
    expect(forbiddenImports('allpass', "import { createHmac } from 'node:crypto';\nimport { ALLPASS_EVENT_TYPES } from './allpass.mapping';\nimport type { X } from '../provider.interface';")).toEqual(
      [],
    );
  });
});
