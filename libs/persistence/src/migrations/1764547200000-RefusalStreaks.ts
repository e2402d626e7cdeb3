import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * A connection's refusals since a given time (its refusal streak, for `ops.connection.refusing`)
 * as one index range per connection, instead of every refusal of every connection since then.
 */
export class RefusalStreaks1764547200000 implements MigrationInterface {
  name = 'RefusalStreaks1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('inbound_refusals', new TableIndex({ name: 'ix_inbound_refusals_connection_received_at', columnNames: ['provider', 'connection', 'received_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('inbound_refusals', 'ix_inbound_refusals_connection_received_at');
  }
}
