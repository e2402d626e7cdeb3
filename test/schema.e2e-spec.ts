import { DataSource } from 'typeorm';
import { databaseOptions, initializeDataSource } from '@kyc/persistence';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from '@kyc/testing';

/** The migrations alone must build exactly the schema the entities describe, on both databases. */
describe.each(DATABASE_KINDS)('schema on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await initializeDataSource(databaseOptions({ url: database.url, migrate: true }));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('has no difference between the migrated schema and the entities', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('runs the migrations down and up again', async () => {
    const applied = dataSource.migrations.length;
    for (let i = 0; i < applied; i++) await dataSource.undoLastMigration();
    expect(await dataSource.showMigrations()).toBe(true);
    await dataSource.runMigrations();
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('is idempotent at boot: a second start finds nothing to migrate', async () => {
    const again = await initializeDataSource(databaseOptions({ url: database.url, migrate: true }));
    expect(await again.showMigrations()).toBe(false);
    await again.destroy();
  });
});
