import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './column-types';

/** The unique index that makes one subject of one connection one verification. */
export const VERIFICATIONS_SUBJECT_INDEX = 'uq_verifications_subject';

/**
 * One subject of one connection, `(provider, connection, subject key)`, with the status the
 * ordering guard holds for it. Its events (the timeline) point at it through `events.verification_id`.
 * The subject's ids are personal data: stored sealed, searchable through blind indexes only.
 */
@Entity('verifications')
@Index(VERIFICATIONS_SUBJECT_INDEX, ['provider', 'connection', 'subjectRef'], { unique: true })
@Index('ix_verifications_updated_at', ['updatedAt'])
@Index('ix_verifications_status_since', ['status', 'statusSince'])
@Index('ix_verifications_applicant_ref', ['applicantRef'])
@Index('ix_verifications_external_user_ref', ['externalUserRef'])
@Index('ix_verifications_verification_ref', ['verificationRef'])
export class VerificationEntity {
  /** UUIDv7, the pagination cursor of the admin list. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  provider: string;

  @Column({ type: 'varchar', length: 100 })
  connection: string;

  /** Which subject id is the key: `applicantId`, `verificationId` or `externalUserId`. */
  @Column({ name: 'subject_field', type: 'varchar', length: 20 })
  subjectField: string;

  /** Blind index of `<subjectField>:<value>`. */
  @Column({ name: 'subject_ref', type: 'varchar', length: 64 })
  subjectRef: string;

  @Column({ name: 'applicant_ref', type: 'varchar', length: 64, nullable: true })
  applicantRef: string | null;

  @Column({ name: 'external_user_ref', type: 'varchar', length: 64, nullable: true })
  externalUserRef: string | null;

  @Column({ name: 'verification_ref', type: 'varchar', length: 64, nullable: true })
  verificationRef: string | null;

  /** Every subject id its events carried (VerificationSubject JSON), sealed. */
  @Column({ name: 'subject_sealed', type: 'text' })
  subjectSealed: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  status: string | null;

  /** Vendor time (occurredAt) of the status event applied last: what the ordering guard compares with. */
  @Column({ name: 'status_at', type: 'bigint', nullable: true, transformer: epochMs })
  statusAt: Date | null;

  /** Vendor time since which the status has had its current value (stuck verifications). */
  @Column({ name: 'status_since', type: 'bigint', nullable: true, transformer: epochMs })
  statusSince: Date | null;

  /** Events taken into account so far: the last one's sequence. */
  @Column({ name: 'event_count', type: 'integer' })
  eventCount: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}
