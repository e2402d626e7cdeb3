import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Refusals are recorded aggregated: one row stands for `count` identical refusals from one source. */
export class RefusalCount1764201600000 implements MigrationInterface {
  name = 'RefusalCount1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('inbound_refusals', new TableColumn({ name: 'count', type: 'integer', default: 1 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('inbound_refusals', 'count');
  }
}
