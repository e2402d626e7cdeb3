import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Each connection's last webhook, for the console's overview: the dedup index starts with
 * (provider, connection) but goes on with the vendor's event id, so finding the latest
 * `received_at` of a connection through it reads every event of that connection. With this
 * index it is one step down the index per connection (see OverviewQueries.connectionActivity).
 * Built inside the migration's transaction like the others: on PostgreSQL, webhooks wait (the
 * ingress answers 503 past its statement timeout) while it builds on a large events table.
 */
export class ConnectionActivity1764460800000 implements MigrationInterface {
  name = 'ConnectionActivity1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('events', new TableIndex({ name: 'ix_events_connection_received_at', columnNames: ['provider', 'connection', 'received_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('events', 'ix_events_connection_received_at');
  }
}
