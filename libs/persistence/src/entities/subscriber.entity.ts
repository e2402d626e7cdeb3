import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './column-types';

export type SubscriberKind = 'queue' | 'http';
export type BackoffType = 'exponential' | 'fixed';

/** A downstream consumer of VerificationEvents: a BullMQ queue or an HTTP endpoint, with its filter and retry policy. */
@Entity('subscribers')
@Index('uq_subscribers_name', ['name'], { unique: true })
export class SubscriberEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  kind: SubscriberKind;

  /** `kind: queue`: the BullMQ queue name (under QUEUE_PREFIX). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  queue: string | null;

  /** `kind: http`: the endpoint. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  url: string | null;

  @Column({ name: 'timeout_ms', type: 'integer' })
  timeoutMs: number;

  /** `kind: http`: the `whsec_` signing secret, sealed. */
  @Column({ name: 'secret_sealed', type: 'text', nullable: true })
  secretSealed: string | null;

  /** Providers to receive (empty = all). */
  @Column({ name: 'filter_providers', type: 'simple-json' })
  filterProviders: string[];

  /** Connections to receive, `name` or `provider/name` (null or empty = all; null for subscribers made before the column). */
  @Column({ name: 'filter_connections', type: 'simple-json', nullable: true })
  filterConnections: string[] | null;

  /** Type patterns: exact (`check.completed`), prefix (`verification.*`) or `*`. */
  @Column({ name: 'filter_types', type: 'simple-json' })
  filterTypes: string[];

  /** Also receive stale status events (older than the status their verification already holds). */
  @Column({ name: 'filter_include_stale', type: 'boolean', default: false })
  filterIncludeStale: boolean;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts: number;

  @Column({ name: 'backoff_type', type: 'varchar', length: 20 })
  backoffType: BackoffType;

  @Column({ name: 'backoff_delay_ms', type: 'integer' })
  backoffDelayMs: number;

  /** Upper bound of an exponential backoff's delay. */
  @Column({ name: 'backoff_max_delay_ms', type: 'integer' })
  backoffMaxDelayMs: number;

  /** A disabled subscriber receives nothing; its pending deliveries wait and resume when enabled. */
  @Column({ type: 'boolean' })
  enabled: boolean;

  /** Why delivery disabled it (HTTP 410, failing too long); null when enabled or disabled by an operator. */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Column({ name: 'disabled_at', type: 'bigint', nullable: true, transformer: epochMs })
  disabledAt: Date | null;

  /** http: time of the first failed attempt since the last success (null: healthy). */
  @Column({ name: 'failing_since', type: 'bigint', nullable: true, transformer: epochMs })
  failingSince: Date | null;

  /** http: failed attempts since the last success. */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}
