import 'reflect-metadata';
import { SecretBox } from '@kyc/core';
import { loadAppConfig } from '@kyc/config';
import { ConnectionEntity, ConnectionStore, databaseOptions, initializeDataSource } from '@kyc/persistence';
import type { ConnectionCredentials, ProviderAdapter } from '@kyc/providers';
import { announceConnectionChange } from '@kyc/queue';

/**
 * The credentials of a connection as the local gateway stores them (opened with the local
 * SECRETS_KEY). Outside production a missing connection is created with generated secrets, so a
 * fresh `npm start` can be tried at once; the running gateway hears of it through Redis, as it
 * does of the admin API's changes (else at its next periodic reload).
 */
export async function localCredentials(adapter: ProviderAdapter, name: string): Promise<ConnectionCredentials> {
  const config = loadAppConfig(process.env, () => undefined);
  const dataSource = await initializeDataSource(databaseOptions({ url: config.env.DATABASE_URL, migrate: config.env.DATABASE_MIGRATE }));
  try {
    const store = new ConnectionStore(dataSource.getRepository(ConnectionEntity), new SecretBox(config.secretsKey, config.previousSecretsKeys));
    const find = async () => (await store.listOpened()).find((c) => c.provider === adapter.name && c.name === name);
    let connection = await find();
    if (!connection) {
      if (config.isProduction) throw new Error(`no connection ${adapter.name}/${name} in the database`);
      await store.createIfMissing(adapter.name, name, adapter.simulator.generateSecrets(), {});
      connection = (await find())!;
      await announceConnectionChange(config.env, { connectionId: connection.id, change: 'created' });
      console.log(`created connection ${adapter.name}/${name} with generated secrets (local demo)`);
    }
    return { secrets: connection.secrets, options: adapter.parseOptions(connection.options) };
  } finally {
    await dataSource.destroy();
  }
}
