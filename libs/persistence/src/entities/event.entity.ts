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
@Index('ix_events_verification', ['verificationId', 'occurredAt'])
@Index('ix_events_unapplied', ['occurredAt'], { where: '"verification_applied_at" IS NULL' })
/** A connection's last webhook (the console's overview): one index step per connection. */
@Index('ix_events_connection_received_at', ['provider', 'connection', 'receivedAt'])
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

  /**
   * When the event was taken into its subject's verification (VerificationLedger); null until
   * then. The `verification_*` columns are the event's `verification` block, not personal data.
   */
  @Column({ name: 'verification_applied_at', type: 'bigint', nullable: true, transformer: epochMs })
  verificationAppliedAt: Date | null;

  /** Null when the event names no subject. */
  @Column({ name: 'verification_id', type: 'varchar', length: 36, nullable: true })
  verificationId: string | null;

  @Column({ name: 'verification_sequence', type: 'integer', nullable: true })
  verificationSequence: number | null;

  /** The subject's status once this event was taken into account. */
  @Column({ name: 'verification_status', type: 'varchar', length: 20, nullable: true })
  verificationStatus: string | null;

  @Column({ name: 'verification_previous_status', type: 'varchar', length: 20, nullable: true })
  verificationPreviousStatus: string | null;

  @Column({ name: 'verification_stale', type: 'boolean', nullable: true })
  verificationStale: boolean | null;
}
