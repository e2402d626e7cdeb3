import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** Subscriber health for delivery etiquette: why and when delivery disabled it, and its failure streak. */
export class SubscriberHealth1764028800000 implements MigrationInterface {
  name = 'SubscriberHealth1764028800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('subscribers', [
      new TableColumn({ name: 'disabled_reason', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn({ name: 'disabled_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'failing_since', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'consecutive_failures', type: 'integer', default: 0 }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['consecutive_failures', 'failing_since', 'disabled_at', 'disabled_reason']) await queryRunner.dropColumn('subscribers', column);
  }
}
