import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { SecretBox } from '@kyc/core';
import { ConnectionEntity, ConnectionStore, databaseOptions, initializeDataSource } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, testConfig, TestDatabase } from '@kyc/testing';
import { DefaultConnectionsService } from '@kyc/gateway';
import { post } from './support/http';
import { startTestApp } from './support/test-app';

const complycube = findProvider('complycube')!;

/**
 * The environment describes each vendor's `default` connection. It creates it when missing and
 * never overwrites it: a secret replaced through the admin API after a leak must stay replaced
 * across restarts.
 */
describe('default connections from the environment', () => {
  let database: TestDatabase;
  let warnings: string[];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });

  afterAll(async () => {
    await database?.drop();
  });

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });

  afterEach(() => jest.restoreAllMocks());

  it('keeps a secret rotated through the admin API after a restart, and warns naming the connection, never a value', async () => {
    const leaked = `leaked-${randomBytes(8).toString('hex')}`;
    const replacement = `replacement-${randomBytes(8).toString('hex')}`;
    const env = { DATABASE_URL: database.url, COMPLYCUBE_WEBHOOK_SECRET: leaked, SECRETS_KEY: randomBytes(32).toString('base64'), ADMIN_API_KEY: randomBytes(24).toString('base64url') };
    const signed = (secret: string) => complycube.simulator.build('client.created', { secrets: { webhookSecret: secret }, options: complycube.parseOptions({}) });

    const first = await startTestApp(testConfig(env));
    try {
      const admin = { authorization: `Bearer ${env.ADMIN_API_KEY}`, 'content-type': 'application/json' };
      const list = (await (await fetch(`${first.url}/admin/connections?provider=complycube`, { headers: admin })).json()) as { data: Array<{ id: string; name: string }> };
      const id = list.data.find((connection) => connection.name === 'default')!.id;
      const rotated = await fetch(`${first.url}/admin/connections/${id}/rotate`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ secrets: { webhookSecret: replacement }, graceSeconds: 0 }),
      });
      expect(rotated.status).toBe(200);
    } finally {
      await first.close();
    }

    // The restart still has the leaked secret in its environment.
    const second = await startTestApp(testConfig(env));
    try {
      expect((await post(`${second.url}/webhooks/complycube`, signed(replacement))).status).toBe(200);
      expect((await post(`${second.url}/webhooks/complycube`, signed(leaked))).status).toBe(401);
    } finally {
      await second.close();
    }
    const warning = warnings.find((message) => message.includes('complycube/default'));
    expect(warning).toEqual(expect.stringContaining('COMPLYCUBE_WEBHOOK_SECRET'));
    for (const message of warnings) {
      expect(message).not.toContain(leaked);
      expect(message).not.toContain(replacement);
    }
  });

  describe('boot checks', () => {
    let ownDatabase: TestDatabase;
    let dataSource: DataSource;
    let store: ConnectionStore;

    beforeAll(async () => {
      ownDatabase = await createTestDatabase('sqlite');
      dataSource = await initializeDataSource(databaseOptions({ url: ownDatabase.url, migrate: true }));
      store = new ConnectionStore(dataSource.getRepository(ConnectionEntity), new SecretBox(randomBytes(32)));
    });

    afterAll(async () => {
      await dataSource?.destroy();
      await ownDatabase?.drop();
    });

    const boot = (config: AppConfig) => new DefaultConnectionsService(config, store).onModuleInit();

    it('stops the boot on an Allpass CBC default without ALLPASS_HMAC_KEY, naming the variable and not the key', async () => {
      const cryptoKey = randomBytes(32).toString('hex');
      const config = testConfig({ DATABASE_URL: ownDatabase.url, ALLPASS_CRYPTO_KEY: cryptoKey, ALLPASS_ENCRYPTION_METHOD: 'aes-256-cbc' });
      const failure = await boot(config).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure?.message).toMatch(/^connection allpass\/default from the environment: ALLPASS_HMAC_KEY is required with aes-256-cbc/);
      expect(failure?.message).not.toContain(cryptoKey);
      expect((await store.listOpened()).some((connection) => connection.provider === 'allpass')).toBe(false);
    });

    it('creates the Allpass CBC default when ALLPASS_HMAC_KEY is set, without a warning', async () => {
      const secrets = { cryptoKey: randomBytes(32).toString('hex'), hmacKey: randomBytes(16).toString('hex') };
      const config = testConfig({ DATABASE_URL: ownDatabase.url, ALLPASS_CRYPTO_KEY: secrets.cryptoKey, ALLPASS_HMAC_KEY: secrets.hmacKey, ALLPASS_ENCRYPTION_METHOD: 'aes-256-cbc' });
      await boot(config);
      const stored = (await store.listOpened()).find((connection) => connection.provider === 'allpass' && connection.name === 'default');
      expect(stored).toMatchObject({ secrets, options: { encryptionMethod: 'aes-256-cbc' } });
      expect(warnings).toEqual([]);
    });

    it('warns at boot about a stored connection that is weak (stored before the rules), naming it and no value', async () => {
      const cryptoKey = randomBytes(32).toString('hex');
      await store.create({ provider: 'allpass', name: 'legacy-cbc', secrets: { cryptoKey }, options: { encryptionMethod: 'aes-256-cbc' } });
      await boot(testConfig({ DATABASE_URL: ownDatabase.url }));
      expect(warnings).toEqual([expect.stringMatching(/^connection allpass\/legacy-cbc: AES-256-CBC without an HMAC key is unauthenticated/)]);
      expect(warnings.join('')).not.toContain(cryptoKey);
    });
  });
});
