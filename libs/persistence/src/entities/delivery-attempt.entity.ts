import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './column-types';

/** One attempt of a delivery: when, how it went, how long it took. */
@Entity('delivery_attempts')
@Index('ix_delivery_attempts_delivery', ['deliveryId'])
export class DeliveryAttemptEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'delivery_id', type: 'varchar', length: 36 })
  deliveryId: string;

  @Column({ name: 'attempt_number', type: 'integer' })
  attemptNumber: number;

  @Column({ name: 'attempted_at', type: 'bigint', transformer: epochMs })
  attemptedAt: Date;

  @Column({ type: 'varchar', length: 10 })
  outcome: 'succeeded' | 'failed';

  @Column({ name: 'http_status', type: 'integer', nullable: true })
  httpStatus: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;
}
