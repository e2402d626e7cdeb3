import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

const epoch = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
const ref = (name: string, isNullable = true) => ({ name, type: 'varchar', length: '64', isNullable });

/**
 * Per-subject verification state (contract: Verification state and ordering) and
 * `filter.includeStale`. Events stored before it have `verification_applied_at` null: the
 * worker's VerificationBackfill builds their verifications once, in vendor-time order (it needs
 * SECRETS_KEY to read their subjects, which a migration does not have).
 */
export class Verifications1764374400000 implements MigrationInterface {
  name = 'Verifications1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'verifications',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider', type: 'varchar', length: '40' },
          { name: 'connection', type: 'varchar', length: '100' },
          { name: 'subject_field', type: 'varchar', length: '20' },
          ref('subject_ref', false),
          ref('applicant_ref'),
          ref('external_user_ref'),
          ref('verification_ref'),
          { name: 'subject_sealed', type: 'text' },
          { name: 'status', type: 'varchar', length: '20', isNullable: true },
          epoch('status_at', true),
          epoch('status_since', true),
          { name: 'event_count', type: 'integer' },
          epoch('created_at'),
          epoch('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_verifications_subject', columnNames: ['provider', 'connection', 'subject_ref'], isUnique: true }),
          new TableIndex({ name: 'ix_verifications_updated_at', columnNames: ['updated_at'] }),
          new TableIndex({ name: 'ix_verifications_status_since', columnNames: ['status', 'status_since'] }),
          new TableIndex({ name: 'ix_verifications_applicant_ref', columnNames: ['applicant_ref'] }),
          new TableIndex({ name: 'ix_verifications_external_user_ref', columnNames: ['external_user_ref'] }),
          new TableIndex({ name: 'ix_verifications_verification_ref', columnNames: ['verification_ref'] }),
        ],
      }),
    );
    await queryRunner.addColumns('events', [
      new TableColumn(epoch('verification_applied_at', true)),
      new TableColumn({ name: 'verification_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'verification_sequence', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'verification_status', type: 'varchar', length: '20', isNullable: true }),
      new TableColumn({ name: 'verification_previous_status', type: 'varchar', length: '20', isNullable: true }),
      new TableColumn({ name: 'verification_stale', type: 'boolean', isNullable: true }),
    ]);
    await queryRunner.createIndices('events', [
      new TableIndex({ name: 'ix_events_verification', columnNames: ['verification_id', 'occurred_at'] }),
      new TableIndex({ name: 'ix_events_unapplied', columnNames: ['occurred_at'], where: '"verification_applied_at" IS NULL' }),
    ]);
    // `false` as each database spells a boolean default (SQLite: 0), so the schema matches the entity's.
    const no = queryRunner.connection.driver.normalizeDefault({ default: false } as ColumnMetadata);
    await queryRunner.addColumn('subscribers', new TableColumn({ name: 'filter_include_stale', type: 'boolean', default: no }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('subscribers', 'filter_include_stale');
    await queryRunner.dropIndex('events', 'ix_events_unapplied');
    await queryRunner.dropIndex('events', 'ix_events_verification');
    for (const column of ['verification_stale', 'verification_previous_status', 'verification_status', 'verification_sequence', 'verification_id', 'verification_applied_at']) {
      await queryRunner.dropColumn('events', column);
    }
    await queryRunner.dropTable('verifications');
  }
}
