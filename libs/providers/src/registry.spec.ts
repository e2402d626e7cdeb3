import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inboundWebhook } from '@kyc/testing';
import { detectProvider, PROVIDERS, SIGNATURE_HEADERS } from './registry';

/**
 * A vendor is one folder plus one line in the registry; everything else reads the registry. This
 * walks it and checks that each vendor is whole, so a sixth cannot be half-added: its mapping doc
 * (linked from docs/vendors.md), golden fixtures, simulator, environment variables (documented),
 * detection on the single URL, and the suites that cover it by reading the registry.
 */
const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe.each(PROVIDERS.map((provider) => [provider.name, provider] as const))('registered vendor %s', (name, provider) => {
  it('has a lower-case route name and a display name', () => {
    expect(name).toMatch(/^[a-z][a-z0-9]*$/);
    expect(provider.displayName).not.toBe('');
  });

  it('has its mapping doc, linked from docs/vendors.md, and golden fixtures', () => {
    expect(existsSync(join(__dirname, name, 'MAPPING.md'))).toBe(true);
    expect(read('docs/vendors.md')).toContain(`libs/providers/src/${name}/MAPPING.md`);
    expect(readdirSync(join(__dirname, name, 'fixtures')).filter((file) => file.endsWith('.json')).length).toBeGreaterThan(0);
  });

  it('simulates every type it documents, its sample type among them, with fresh secrets each time', () => {
    const { eventTypes, sampleEventType } = provider.simulator;
    expect(eventTypes.length).toBeGreaterThan(0);
    expect(eventTypes).toContain(sampleEventType);
    expect(provider.simulator.generateSecrets()).not.toEqual(provider.simulator.generateSecrets());
    // A vendor that signs the JSON it sends lets the fuzz suites sign any body.
    if (provider.recognizesBody === undefined) expect(typeof provider.simulator.signBody).toBe('function');
  });

  it('takes its default connection from documented <VENDOR>_... environment variables', () => {
    const variables = [...Object.values(provider.environment.secrets), ...Object.values(provider.environment.options)];
    expect(Object.keys(provider.environment.secrets).sort()).toEqual([...provider.secretFields.required, ...provider.secretFields.optional].sort());
    const configuration = read('docs/configuration.md');
    for (const variable of variables) {
      expect(variable).toMatch(new RegExp(`^${name.toUpperCase()}_[A-Z0-9_]+$`));
      expect({ variable, documented: configuration.includes(variable) }).toEqual({ variable, documented: true });
    }
  });

  it('is recognised on the single URL by what its simulator sends; its signature headers are its own and redacted', () => {
    const secrets = provider.simulator.generateSecrets();
    const request = provider.simulator.build(provider.simulator.sampleEventType, { secrets, options: provider.parseOptions({}) });
    const headers = Object.fromEntries(Object.entries(request.headers).map(([header, value]) => [header.toLowerCase(), value]));
    expect(detectProvider(inboundWebhook(request.body, headers))?.name).toBe(name);
    expect(provider.signatureHeaders.length).toBeGreaterThan(0);
    for (const header of provider.signatureHeaders) {
      expect(header).toBe(header.toLowerCase());
      expect(PROVIDERS.filter((other) => other.signatureHeaders.includes(header)).map((other) => other.name)).toEqual([name]);
      expect(SIGNATURE_HEADERS).toContain(header);
    }
  });
});

describe('suites that cover every vendor by reading the registry', () => {
  it.each(['test/vendor-matrix.e2e-spec.ts', 'test/fuzz/ingress-mutations.e2e-spec.ts', 'test/fuzz/ingress-random.e2e-spec.ts', 'test/faults/faults.fault-spec.ts', 'bench/run.ts'])(
    '%s enumerates PROVIDERS',
    (path) => {
      expect(read(path)).toMatch(/import \{[^}]*\bPROVIDERS\b[^}]*\} from '@kyc\/providers'/);
    },
  );
});
