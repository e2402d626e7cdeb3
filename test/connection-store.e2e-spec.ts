import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox } from '@kyc/core';
import { ConnectionEntity, ConnectionStore, databaseOptions, initializeDataSource } from '@kyc/persistence';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '@kyc/testing';

/** Several gateways boot at once on a new database: each creates the `default` connections from its environment. */
describe.each(DATABASE_KINDS)('ConnectionStore.createIfMissing on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let stores: ConnectionStore[];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await initializeDataSource(databaseOptions({ url: database.url, migrate: true }));
    const box = new SecretBox(randomBytes(32));
    stores = Array.from({ length: 4 }, () => new ConnectionStore(dataSource.getRepository(ConnectionEntity), box));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('creates the connection once when instances race, and none of them fails', async () => {
    const secrets = { webhookSecret: 'the-same-secret' };
    const outcomes = await Promise.all(stores.map((store) => store.createIfMissing('complycube', 'default', secrets, {})));
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome !== 'created').every((outcome) => outcome === 'unchanged')).toBe(true);
    expect(await dataSource.getRepository(ConnectionEntity).countBy({ provider: 'complycube', name: 'default' })).toBe(1);
  });

  it("keeps the winner's secrets: the losers of the race report that theirs differ", async () => {
    const outcomes = await Promise.all(stores.map((store, index) => store.createIfMissing('verifik', 'default', { webhookSecret: `secret-${index}` }, {})));
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome !== 'created').every((outcome) => outcome === 'differs')).toBe(true);
    const [opened] = (await stores[0].listOpened()).filter((connection) => connection.provider === 'verifik');
    expect(opened.secrets.webhookSecret).toBe(`secret-${outcomes.indexOf('created')}`);
  });

  it('never overwrites an existing connection (a secret rotated after a leak stays rotated)', async () => {
    const [store] = stores;
    expect(await store.createIfMissing('allpass', 'default', { cryptoKey: 'a'.repeat(64) }, { encryptionMethod: 'aes-256-gcm' })).toBe('created');
    const [created] = (await store.listOpened()).filter((connection) => connection.provider === 'allpass');
    await store.rotate(created.id, { cryptoKey: 'b'.repeat(64) }, null);
    expect(await store.createIfMissing('allpass', 'default', { cryptoKey: 'a'.repeat(64) }, { encryptionMethod: 'aes-256-gcm' })).toBe('differs');
    expect(await store.createIfMissing('allpass', 'default', { cryptoKey: 'b'.repeat(64) }, { encryptionMethod: 'aes-256-cbc' })).toBe('differs');
    expect(await store.createIfMissing('allpass', 'default', { cryptoKey: 'b'.repeat(64) }, { encryptionMethod: 'aes-256-gcm' })).toBe('unchanged');
    const [kept] = (await store.listOpened()).filter((connection) => connection.provider === 'allpass');
    expect(kept).toMatchObject({ secrets: { cryptoKey: 'b'.repeat(64) }, options: { encryptionMethod: 'aes-256-gcm' } });
  });
});
