import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './column-types';

/** A vendor account/application whose webhooks the gateway accepts, with its sealed secrets. */
@Entity('connections')
@Index('uq_connections_provider_name', ['provider', 'name'], { unique: true })
export class ConnectionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  provider: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  /** Secrets JSON sealed with SECRETS_KEY (AES-256-GCM). */
  @Column({ name: 'secrets_sealed', type: 'text' })
  secretsSealed: string;

  /** During a rotation: the previous secrets, still accepted until `previousSecretsExpireAt`. */
  @Column({ name: 'previous_secrets_sealed', type: 'text', nullable: true })
  previousSecretsSealed: string | null;

  @Column({ name: 'previous_secrets_expire_at', type: 'bigint', nullable: true, transformer: epochMs })
  previousSecretsExpireAt: Date | null;

  @Column({ type: 'simple-json' })
  options: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}
