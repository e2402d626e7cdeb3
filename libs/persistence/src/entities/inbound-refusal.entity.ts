import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './column-types';

/**
 * Refused ingress requests: why, from where, how big, never their bodies. Recorded aggregated:
 * one row stands for `count` refusals alike (same source, route and reason) received within about
 * a second from `receivedAt`; `sizeBytes` is the largest of them.
 */
@Entity('inbound_refusals')
@Index('ix_inbound_refusals_received_at', ['receivedAt'])
@Index('ix_inbound_refusals_connection_received_at', ['provider', 'connection', 'receivedAt'])
export class InboundRefusalEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  provider: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  connection: string | null;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode: number;

  @Column({ type: 'varchar', length: 40 })
  reason: string;

  @Column({ type: 'varchar', length: 300 })
  detail: string;

  @Column({ name: 'source_ip', type: 'varchar', length: 64, nullable: true })
  sourceIp: string | null;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes: number;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMs })
  receivedAt: Date;

  @Column({ type: 'integer', default: 1 })
  count: number;
}
