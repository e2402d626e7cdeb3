import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from './app-config';
import { ConfigurationError, validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('applies the contract defaults', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATABASE_URL: 'sqlite:./data/gateway.sqlite',
      DATABASE_MIGRATE: true,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'kyc',
      MAX_BODY_BYTES: 262_144,
      REFUSAL_RETENTION_DAYS: 30,
      INGRESS_REFUSALS_PER_MINUTE: 600,
      ALLOW_PRIVATE_SUBSCRIBER_URLS: false,
    });
  });

  it('converts numbers and booleans', () => {
    expect(validateEnvironment({ PORT: '8080', DATABASE_MIGRATE: 'false', ALLOW_PRIVATE_SUBSCRIBER_URLS: 'true', QUEUE_PREFIX: '{kyc}' })).toMatchObject({
      PORT: 8080,
      DATABASE_MIGRATE: false,
      ALLOW_PRIVATE_SUBSCRIBER_URLS: true,
      QUEUE_PREFIX: '{kyc}',
    });
  });

  it('names every bad variable without echoing its value', () => {
    const secret = 'not-base64-but-very-secret-value';
    let error: ConfigurationError | undefined;
    try {
      validateEnvironment({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SECRETS_KEY: secret, ALLPASS_ENCRYPTION_METHOD: 'rot13' });
    } catch (caught) {
      error = caught as ConfigurationError;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    for (const name of ['PORT', 'DATABASE_URL', 'SECRETS_KEY', 'ALLPASS_ENCRYPTION_METHOD']) expect(error!.message).toContain(name);
    expect(error!.message).not.toContain(secret);
  });

  it('bounds the HTTP server timeouts and the delivery etiquette', () => {
    expect(validateEnvironment({})).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
      SHUTDOWN_DELAY_MS: 0,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      SUBSCRIBER_MAX_RETRY_AFTER_SECONDS: 3_600,
      SUBSCRIBER_AUTO_PAUSE_AFTER_MS: 86_400_000,
    });
    expect(() => validateEnvironment({ HTTP_HEADERS_TIMEOUT_MS: '0' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => validateEnvironment({ HTTP_REQUEST_TIMEOUT_MS: '86400000' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => validateEnvironment({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => validateEnvironment({ SUBSCRIBER_AUTO_PAUSE_AFTER_MS: '-1' })).toThrow(/SUBSCRIBER_AUTO_PAUSE_AFTER_MS/);
  });

  it('validates the ingress and database bounds, naming the variable', () => {
    expect(validateEnvironment({})).toMatchObject({
      INGRESS_MAX_BUFFERED_BYTES: 67_108_864,
      HTTP_MAX_CONNECTIONS: 1_000,
      DATABASE_MAX_PENDING_WRITES: 1_000,
      DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
    });
    for (const name of [
      'INGRESS_REFUSALS_PER_MINUTE',
      'REFUSAL_RETENTION_DAYS',
      'HTTP_MAX_CONNECTIONS',
      'DATABASE_MAX_PENDING_WRITES',
      'DATABASE_STATEMENT_TIMEOUT_MS',
      'INGRESS_MAX_BUFFERED_BYTES',
    ]) {
      expect(() => validateEnvironment({ [name]: '-5' })).toThrow(new RegExp(name));
    }
    expect(() => validateEnvironment({ MAX_BODY_BYTES: '1048576', INGRESS_MAX_BUFFERED_BYTES: '524288' })).toThrow(/INGRESS_MAX_BUFFERED_BYTES must be at least MAX_BODY_BYTES/);
  });

  it('takes GATEWAY_PROCESSES as auto (one per core) or 1 to 64, and says so once otherwise', () => {
    expect(validateEnvironment({}).GATEWAY_PROCESSES).toBe(1);
    expect(validateEnvironment({ GATEWAY_PROCESSES: '4' }).GATEWAY_PROCESSES).toBe(4);
    expect(validateEnvironment({ GATEWAY_PROCESSES: 'auto' }).GATEWAY_PROCESSES).toBe(Math.min(64, availableParallelism()));
    for (const bad of ['0', '65', '2.5', 'all', '-1']) {
      expect(() => validateEnvironment({ GATEWAY_PROCESSES: bad })).toThrow(new ConfigurationError(['GATEWAY_PROCESSES must be auto or a whole number from 1 to 64']));
    }
  });

  it('requires the admin and secrets keys in production', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/ADMIN_API_KEY is required[\s\S]*SECRETS_KEY is required/);
  });
});

describe('loadAppConfig', () => {
  it('generates the keys once outside production, keeps them private, and prints the admin key once', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyc-config-'));
    const printed: string[] = [];
    const first = loadAppConfig({ DATA_DIR: dataDir }, (line) => printed.push(line), true);
    const second = loadAppConfig({ DATA_DIR: dataDir }, (line) => printed.push(line), true);
    expect(second.adminApiKey).toBe(first.adminApiKey);
    expect(second.secretsKey.equals(first.secretsKey)).toBe(true);
    expect(first.secretsKey).toHaveLength(32);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(first.adminApiKey);
    expect(statSync(join(dataDir, 'secrets-key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim()).toBe(first.adminApiKey);
  });

  it('creates the data folder 0700 and the key files 0600', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kyc-config-')), 'nested', 'data');
    loadAppConfig({ DATA_DIR: dataDir }, () => undefined, false);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'secrets-key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'admin-api-key')).mode & 0o777).toBe(0o600);
  });

  it('refuses to boot on a key file that group or others can read, without showing the key', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyc-config-'));
    const first = loadAppConfig({ DATA_DIR: dataDir }, () => undefined, false);
    for (const file of ['secrets-key', 'admin-api-key']) {
      chmodSync(join(dataDir, file), 0o644);
      let error: Error | undefined;
      try {
        loadAppConfig({ DATA_DIR: dataDir }, () => undefined, false);
      } catch (caught) {
        error = caught as Error;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error!.message).toContain(`chmod 600 ${join(dataDir, file)}`);
      expect(error!.message).toContain('0644');
      expect(error!.message).not.toContain(first.adminApiKey);
      expect(error!.message).not.toContain(first.secretsKey.toString('base64'));
      chmodSync(join(dataDir, file), 0o600);
    }
    expect(loadAppConfig({ DATA_DIR: dataDir }, () => undefined, false).adminApiKey).toBe(first.adminApiKey);
  });

  it('prints a generated admin key only to a terminal; elsewhere it says where the key is kept', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kyc-config-'));
    const printed: string[] = [];
    const config = loadAppConfig({ DATA_DIR: dataDir }, (line) => printed.push(line), false);
    expect(printed).toHaveLength(1);
    expect(printed[0]).not.toContain(config.adminApiKey);
    expect(printed[0]).toContain(join(dataDir, 'admin-api-key'));
  });

  it('reads the previous secrets keys, and names SECRETS_KEY_PREVIOUS (never its value) when one is malformed', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const config = loadAppConfig(
      { SECRETS_KEY: randomBytes(32).toString('base64'), ADMIN_API_KEY: 'x'.repeat(20), SECRETS_KEY_PREVIOUS: `${a.toString('base64')},${b.toString('base64')}` },
      () => undefined,
    );
    expect(config.previousSecretsKeys.map((key) => key.toString('hex'))).toEqual([a.toString('hex'), b.toString('hex')]);
    const malformed = `${a.toString('base64')},short-secret-value`;
    expect(() => validateEnvironment({ SECRETS_KEY_PREVIOUS: malformed })).toThrow(/SECRETS_KEY_PREVIOUS/);
    try {
      validateEnvironment({ SECRETS_KEY_PREVIOUS: malformed });
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret-value');
    }
  });
});
