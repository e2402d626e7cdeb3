import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnvironmentVariables, validateEnvironment } from './environment';

/** The validated configuration with the generated boot secrets resolved. Inject it; never read process.env. */
export class AppConfig {
  constructor(
    readonly env: EnvironmentVariables,
    readonly adminApiKey: string,
    readonly secretsKey: Buffer,
  ) {}

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }
}

/**
 * Outside production, a first start generates the admin key and the secrets key and keeps them in
 * the data folder (mode 600), so a restart still opens what was stored. The admin key is printed
 * once, when it is generated.
 */
export function loadAppConfig(
  raw: Readonly<Record<string, string | undefined>> = process.env,
  announce: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): AppConfig {
  const env = validateEnvironment(raw);
  const dataDir = resolve(env.DATA_DIR);
  const adminApiKey =
    env.ADMIN_API_KEY ??
    keptSecret(join(dataDir, 'admin-api-key'), () => randomBytes(24).toString('base64url'), (key) =>
      announce(`Generated an admin API key (kept in ${join(dataDir, 'admin-api-key')}): ${key}`),
    );
  const secretsKey = Buffer.from(
    env.SECRETS_KEY ?? keptSecret(join(dataDir, 'secrets-key'), () => randomBytes(32).toString('base64')),
    'base64',
  );
  return new AppConfig(env, adminApiKey, secretsKey);
}

function keptSecret(path: string, generate: () => string, onGenerated?: (value: string) => void): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(resolve(path, '..'), { recursive: true });
  const value = generate();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  onGenerated?.(value);
  return value;
}
