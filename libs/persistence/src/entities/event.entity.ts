import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './column-types';

/**
 * One accepted vendor event. The row is also the transactional outbox: `dispatchedAt` stays null
 * until the worker has fanned the event out, and the relay re-queues rows that stay null.
 * Personal data (subject ids, the decoded payload) is only stored sealed; searchable ids are
 * stored as keyed digests (blind indexes).
 */
/** The unique index that makes a vendor's redelivery a duplicate. */
export const EVENTS_DEDUP_INDEX = 'uq_events_dedup';

@Entity('events')
@Index(EVENTS_DEDUP_INDEX, ['provider', 'connection', 'providerEventId'], { unique: true })
@Index('ix_events_received_at', ['receivedAt'])
@Index('ix_events_applicant_ref', ['applicantRef'])
@Index('ix_events_external_user_ref', ['externalUserRef'])
@Index('ix_events_undispatched', ['receivedAt'], { where: '"dispatched_at" IS NULL' })
export class EventEntity {
  /** UUIDv7: unique and time-ordered, so it doubles as a stable pagination cursor. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  provider: string;

  @Column({ type: 'varchar', length: 100 })
  connection: string;

  @Column({ type: 'varchar', length: 200 })
  type: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  status: string | null;

  @Column({ name: 'provider_event_id', type: 'varchar', length: 200 })
  providerEventId: string;

  @Column({ name: 'provider_event_type', type: 'varchar', length: 200 })
  providerEventType: string;

  @Column({ name: 'applicant_ref', type: 'varchar', length: 64, nullable: true })
  applicantRef: string | null;

  @Column({ name: 'external_user_ref', type: 'varchar', length: 64, nullable: true })
  externalUserRef: string | null;

  @Column({ name: 'occurred_at', type: 'bigint', transformer: epochMs })
  occurredAt: Date;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMs })
  receivedAt: Date;

  /** The VerificationEvent JSON, sealed. */
  @Column({ name: 'event_sealed', type: 'text' })
  eventSealed: string;

  /** The decoded vendor payload, sealed; purged after the retention period. */
  @Column({ name: 'payload_sealed', type: 'text', nullable: true })
  payloadSealed: string | null;

  @Column({ name: 'dispatched_at', type: 'bigint', nullable: true, transformer: epochMs })
  dispatchedAt: Date | null;
}
