import { databaseOptions, GuardedClient } from './database-options';

describe('databaseOptions (PostgreSQL)', () => {
  it('builds the pool from clients that survive an error emitted before anyone listens', () => {
    const options = databaseOptions({ url: 'postgres://127.0.0.1:5432/x', migrate: false }) as { extra: { Client: typeof GuardedClient } };
    expect(options.extra.Client).toBe(GuardedClient);
    const client = new options.extra.Client();
    // What pg does when the server terminates a connection that no pool or query listens to.
    expect(() => client.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
  });
});
