import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './column-types';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/**
 * One (event, subscriber) pair: created once (unique index), whatever the dispatcher's retries,
 * crashes or replays. `attempts` counts attempts made; the next one is due at `nextAttemptAt`.
 */
/** One delivery per (event, subscriber), whatever the dispatcher's retries. */
export const DELIVERIES_UNIQUE_INDEX = 'uq_deliveries_event_subscriber';

@Entity('deliveries')
@Index(DELIVERIES_UNIQUE_INDEX, ['eventId', 'subscriberId'], { unique: true })
@Index('ix_deliveries_status_next_attempt', ['status', 'nextAttemptAt'])
@Index('ix_deliveries_subscriber_status', ['subscriberId', 'status'])
export class DeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId: string;

  @Column({ name: 'subscriber_id', type: 'varchar', length: 36 })
  subscriberId: string;

  @Column({ type: 'varchar', length: 10 })
  status: DeliveryStatus;

  @Column({ type: 'integer' })
  attempts: number;

  /** Operator-requested redeliveries; names the replay job (`<eventId>:replay:<n>`). */
  @Column({ type: 'integer' })
  replays: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', nullable: true, transformer: epochMs })
  nextAttemptAt: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: Date;

  @Column({ name: 'completed_at', type: 'bigint', nullable: true, transformer: epochMs })
  completedAt: Date | null;
}
