import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadAppConfig } from '@kyc/config';

/**
 * A configuration isolated per test: its own data folder, SQLite file, queue prefix and keys,
 * and fast relay/cache timings. `overrides` are environment variables, as an operator sets them.
 */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'kyc-test-'));
  return loadAppConfig(
    {
      NODE_ENV: 'test',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'gateway.sqlite')}`,
      QUEUE_PREFIX: `test-${process.env.KYC_TEST_RUN ?? 'adhoc'}-${randomBytes(4).toString('hex')}`,
      ADMIN_API_KEY: randomBytes(24).toString('base64url'),
      SECRETS_KEY: randomBytes(32).toString('base64'),
      RELAY_INTERVAL_MS: '200',
      RELAY_GRACE_MS: '300',
      CONNECTION_CACHE_TTL_MS: '500',
      ALLOW_PRIVATE_SUBSCRIBER_URLS: 'true',
      // Suites call the admin API far faster than an operator; the rate limit has its own test.
      ADMIN_RATE_LIMIT_PER_MINUTE: '100000',
      // Likewise for refusals from one source (the tests' own loopback); test/ingress-abuse sets a low one.
      INGRESS_REFUSALS_PER_MINUTE: '100000',
      // Operational events would add events of their own to suites that count them; test/ops-events sets a short one.
      OPS_CHECK_INTERVAL_MS: '3600000',
      ...overrides,
    },
    () => undefined,
  );
}
