import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** `filter.connections` of subscribers; null (every connection) for the existing ones. */
export class SubscriberFilterConnections1764288000000 implements MigrationInterface {
  name = 'SubscriberFilterConnections1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('subscribers', new TableColumn({ name: 'filter_connections', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('subscribers', 'filter_connections');
  }
}
