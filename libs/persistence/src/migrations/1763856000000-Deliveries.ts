import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const id = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
const epoch = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
const integer = (name: string, isNullable = false) => ({ name, type: 'integer', isNullable });

/** Subscribers, deliveries and their attempts (fan-out). Portable across SQLite and PostgreSQL. */
export class Deliveries1763856000000 implements MigrationInterface {
  name = 'Deliveries1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'subscribers',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'kind', type: 'varchar', length: '10' },
          { name: 'queue', type: 'varchar', length: '200', isNullable: true },
          { name: 'url', type: 'varchar', length: '2000', isNullable: true },
          integer('timeout_ms'),
          { name: 'secret_sealed', type: 'text', isNullable: true },
          { name: 'filter_providers', type: 'text' },
          { name: 'filter_types', type: 'text' },
          integer('max_attempts'),
          { name: 'backoff_type', type: 'varchar', length: '20' },
          integer('backoff_delay_ms'),
          integer('backoff_max_delay_ms'),
          { name: 'enabled', type: 'boolean' },
          epoch('created_at'),
          epoch('updated_at'),
        ],
        indices: [new TableIndex({ name: 'uq_subscribers_name', columnNames: ['name'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'deliveries',
        columns: [
          id,
          { name: 'event_id', type: 'varchar', length: '36' },
          { name: 'subscriber_id', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '10' },
          integer('attempts'),
          integer('replays'),
          epoch('next_attempt_at', true),
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
          epoch('created_at'),
          epoch('updated_at'),
          epoch('completed_at', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_deliveries_event_subscriber', columnNames: ['event_id', 'subscriber_id'], isUnique: true }),
          new TableIndex({ name: 'ix_deliveries_status_next_attempt', columnNames: ['status', 'next_attempt_at'] }),
          new TableIndex({ name: 'ix_deliveries_subscriber_status', columnNames: ['subscriber_id', 'status'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'delivery_attempts',
        columns: [
          id,
          { name: 'delivery_id', type: 'varchar', length: '36' },
          integer('attempt_number'),
          epoch('attempted_at'),
          { name: 'outcome', type: 'varchar', length: '10' },
          integer('http_status', true),
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          integer('duration_ms'),
        ],
        indices: [new TableIndex({ name: 'ix_delivery_attempts_delivery', columnNames: ['delivery_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('delivery_attempts');
    await queryRunner.dropTable('deliveries');
    await queryRunner.dropTable('subscribers');
  }
}
