import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensurePrivateDirectory, sharedFileMode } from '@kyc/core';
import { PROVIDERS } from '@kyc/providers';
import { ConfigurationError, EnvironmentVariables, validateEnvironment } from './environment';

/** The validated configuration with the generated boot secrets resolved. Inject it; never read process.env. */
export class AppConfig {
  constructor(
    readonly env: EnvironmentVariables,
    readonly adminApiKey: string,
    readonly secretsKey: Buffer,
    /** SECRETS_KEY_PREVIOUS: keys that still open values sealed before a rotation. */
    readonly previousSecretsKeys: readonly Buffer[] = [],
    /**
     * The vendors' variables that are set (`<VENDOR>_<FIELD>`, named by the provider registry):
     * each vendor's adapter checks its own when the `default` connection is created at boot.
     */
    readonly providerVariables: Readonly<Record<string, string>> = {},
  ) {}

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }
}

/**
 * Outside production, a first start generates the admin key and the secrets key and keeps them in
 * the data folder (created 0700, files 0600; a key file group or others can read is refused), so a
 * restart still opens what was stored. The admin key is printed once, when it is generated, and
 * only to a terminal: output that is not one (a log shipper, a CI log) gets where it is kept instead.
 */
export function loadAppConfig(
  raw: Readonly<Record<string, string | undefined>> = process.env,
  announce: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  toTerminal: boolean = process.stdout.isTTY === true,
): AppConfig {
  const env = validateEnvironment(raw);
  const dataDir = resolve(env.DATA_DIR);
  const adminKeyPath = join(dataDir, 'admin-api-key');
  const adminApiKey =
    env.ADMIN_API_KEY ??
    keptSecret(
      adminKeyPath,
      () => randomBytes(24).toString('base64url'),
      (key) =>
        announce(toTerminal ? `Generated an admin API key (kept in ${adminKeyPath}): ${key}` : `Generated an admin API key, kept in ${adminKeyPath} (not printed: the output is not a terminal)`),
    );
  const secretsKey = Buffer.from(env.SECRETS_KEY ?? keptSecret(join(dataDir, 'secrets-key'), () => randomBytes(32).toString('base64')), 'base64');
  const previousSecretsKeys = (env.SECRETS_KEY_PREVIOUS ?? '')
    .split(',')
    .filter((key) => key !== '')
    .map((key) => Buffer.from(key, 'base64'));
  return new AppConfig(env, adminApiKey, secretsKey, previousSecretsKeys, providerVariablesOf(raw));
}

function providerVariablesOf(raw: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const { environment } of PROVIDERS) {
    for (const variable of [...Object.values(environment.secrets), ...Object.values(environment.options)]) {
      const value = raw[variable];
      if (value !== undefined && value !== '') variables[variable] = value;
    }
  }
  return variables;
}

function keptSecret(path: string, generate: () => string, onGenerated?: (value: string) => void): string {
  if (existsSync(path)) {
    // Refused rather than fixed: a key others could read may have leaked already, which a silent
    // chmod would hide. The operator tightens it (and decides whether to rotate).
    const mode = sharedFileMode(path);
    if (mode !== null) {
      throw new ConfigurationError([
        `${path} holds a key but its mode is ${mode.toString(8).padStart(4, '0')}: run chmod 600 ${path} (group and others must have no access), and consider rotating the key`,
      ]);
    }
    return readFileSync(path, 'utf8').trim();
  }
  ensurePrivateDirectory(dirname(path));
  const value = generate();
  // `wx`: never overwrite a key another process wrote meanwhile; 0600 from the first byte.
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  onGenerated?.(value);
  return value;
}
