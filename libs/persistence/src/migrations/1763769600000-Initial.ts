import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const id = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
const epoch = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });

/** Written with TypeORM's schema API so the same migration runs on SQLite and PostgreSQL. */
export class Initial1763769600000 implements MigrationInterface {
  name = 'Initial1763769600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'connections',
        columns: [
          id,
          { name: 'provider', type: 'varchar', length: '40' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'enabled', type: 'boolean' },
          { name: 'secrets_sealed', type: 'text' },
          { name: 'previous_secrets_sealed', type: 'text', isNullable: true },
          epoch('previous_secrets_expire_at', true),
          { name: 'options', type: 'text' },
          epoch('created_at'),
          epoch('updated_at'),
        ],
        indices: [new TableIndex({ name: 'uq_connections_provider_name', columnNames: ['provider', 'name'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'events',
        columns: [
          id,
          { name: 'provider', type: 'varchar', length: '40' },
          { name: 'connection', type: 'varchar', length: '100' },
          { name: 'type', type: 'varchar', length: '200' },
          { name: 'status', type: 'varchar', length: '20', isNullable: true },
          { name: 'provider_event_id', type: 'varchar', length: '200' },
          { name: 'provider_event_type', type: 'varchar', length: '200' },
          { name: 'applicant_ref', type: 'varchar', length: '64', isNullable: true },
          { name: 'external_user_ref', type: 'varchar', length: '64', isNullable: true },
          epoch('occurred_at'),
          epoch('received_at'),
          { name: 'event_sealed', type: 'text' },
          { name: 'payload_sealed', type: 'text', isNullable: true },
          epoch('dispatched_at', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_events_dedup', columnNames: ['provider', 'connection', 'provider_event_id'], isUnique: true }),
          new TableIndex({ name: 'ix_events_received_at', columnNames: ['received_at'] }),
          new TableIndex({ name: 'ix_events_applicant_ref', columnNames: ['applicant_ref'] }),
          new TableIndex({ name: 'ix_events_external_user_ref', columnNames: ['external_user_ref'] }),
          new TableIndex({ name: 'ix_events_undispatched', columnNames: ['received_at'], where: '"dispatched_at" IS NULL' }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inbound_refusals',
        columns: [
          id,
          { name: 'provider', type: 'varchar', length: '40', isNullable: true },
          { name: 'connection', type: 'varchar', length: '100', isNullable: true },
          { name: 'status_code', type: 'integer' },
          { name: 'reason', type: 'varchar', length: '40' },
          { name: 'detail', type: 'varchar', length: '300' },
          { name: 'source_ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'size_bytes', type: 'integer' },
          epoch('received_at'),
        ],
        indices: [new TableIndex({ name: 'ix_inbound_refusals_received_at', columnNames: ['received_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('inbound_refusals');
    await queryRunner.dropTable('events');
    await queryRunner.dropTable('connections');
  }
}
