import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseOptions, GuardedClient, initializeDataSource } from './database-options';

describe('databaseOptions (PostgreSQL)', () => {
  it('builds the pool from clients that survive an error emitted before anyone listens', () => {
    const options = databaseOptions({ url: 'postgres://127.0.0.1:5432/x', migrate: false }) as { extra: { Client: typeof GuardedClient } };
    expect(options.extra.Client).toBe(GuardedClient);
    const client = new options.extra.Client();
    // What pg does when the server terminates a connection that no pool or query listens to.
    expect(() => client.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
  });

  it('bounds every statement and keeps the TCP connection probed', () => {
    const options = databaseOptions({ url: 'postgres://127.0.0.1:5432/x', migrate: false, statementTimeoutMs: 4_000 }) as { extra: Record<string, unknown> };
    expect(options.extra).toMatchObject({ statement_timeout: 4_000, query_timeout: 6_000, keepAlive: true });
    const unbounded = databaseOptions({ url: 'postgres://127.0.0.1:5432/x', migrate: false }) as { extra: Record<string, unknown> };
    expect(unbounded.extra.statement_timeout).toBeUndefined();
  });
});

describe('databaseOptions (SQLite)', () => {
  it('creates the database folder 0700 and the database file (and SQLite its -wal file) 0600', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'kyc-db-')), 'nested', 'data');
    const file = join(folder, 'gateway.sqlite');
    const dataSource = await initializeDataSource(databaseOptions({ url: `sqlite:${file}`, migrate: true }));
    try {
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    } finally {
      await dataSource.destroy();
    }
  });
});
