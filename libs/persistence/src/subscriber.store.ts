import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { MoreThan, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, SecretBox, SubscriptionFilter, type SealContext } from '@kyc/core';
import { BackoffType, SubscriberEntity } from './entities';
import { isUniqueViolation } from './storage-errors';

/** What every subscriber has, whatever its kind. */
interface SubscriberSettings {
  id: string;
  name: string;
  timeoutMs: number;
  filter: SubscriptionFilter;
  retry: { maxAttempts: number; backoff: { type: BackoffType; delayMs: number; maxDelayMs: number } };
  enabled: boolean;
  /** Why delivery disabled it: `HTTP 410 from <host>` or `failing since <ISO> (<n> consecutive failures)`; null otherwise. */
  disabledReason: string | null;
  disabledAt: string | null;
  /** http: first failed attempt since the last success; null while it succeeds. */
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A BullMQ queue the gateway adds each event to. */
export interface QueueSubscriber extends SubscriberSettings {
  kind: 'queue';
  queue: string;
}

/** An HTTP endpoint the gateway POSTs each event to, signed. */
export interface HttpSubscriber extends SubscriberSettings {
  kind: 'http';
  url: string;
  /** A short fingerprint of the signing secret, to tell secrets apart without showing them (absent when it cannot be opened). */
  secretFingerprint?: string;
}

/** A subscriber as the worker uses it and the admin API reads it (never its secret). */
export type Subscriber = QueueSubscriber | HttpSubscriber;

interface SubscriberInputSettings {
  name: string;
  timeoutMs?: number;
  filter?: Partial<SubscriptionFilter>;
  retry?: { maxAttempts?: number; backoff?: { type?: BackoffType; delayMs?: number; maxDelayMs?: number } };
  enabled?: boolean;
}

export type SubscriberInput = (SubscriberInputSettings & { kind: 'queue'; queue: string }) | (SubscriberInputSettings & { kind: 'http'; url: string });

/** Any setting but the kind; `queue` applies to a queue subscriber, `url` to an http one. */
export type SubscriberPatch = Partial<SubscriberInputSettings & { queue: string; url: string }>;

/** Defaults of the contract: 10 attempts, exponential from 1 s with jitter, capped at 1 h. */
export const SUBSCRIBER_DEFAULTS = {
  timeoutMs: 10_000,
  filter: { providers: [] as string[], connections: [] as string[], types: ['*'], includeStale: false },
  maxAttempts: 10,
  backoff: { type: 'exponential' as BackoffType, delayMs: 1_000, maxDelayMs: 3_600_000 },
};

/** Where a subscriber's sealed secret lives: a secret copied to another subscriber does not open. */
export const subscriberSecretContext = (rowId: string): SealContext => ({ table: 'subscribers', column: 'secret_sealed', rowId });

export class SubscriberNameTakenError extends ConflictError {
  constructor(name: string) {
    super('SUBSCRIBER_NAME_TAKEN', `a subscriber named ${name} exists already`);
  }
}

@Injectable()
export class SubscriberStore {
  constructor(
    @InjectRepository(SubscriberEntity) private readonly subscribers: Repository<SubscriberEntity>,
    private readonly box: SecretBox,
  ) {}

  /** Create; an http subscriber gets a fresh `whsec_` secret, returned here and never again. */
  async create(input: SubscriberInput): Promise<{ subscriber: Subscriber; secret?: string }> {
    const now = new Date();
    const secret = input.kind === 'http' ? `whsec_${randomBytes(24).toString('base64')}` : undefined;
    // The id comes first: the sealed secret is bound to its row.
    const id = uuidv7();
    const row = this.subscribers.create({
      id,
      name: input.name,
      kind: input.kind,
      queue: input.kind === 'queue' ? (input.queue ?? null) : null,
      url: input.kind === 'http' ? (input.url ?? null) : null,
      timeoutMs: input.timeoutMs ?? SUBSCRIBER_DEFAULTS.timeoutMs,
      secretSealed: secret ? this.box.seal(secret, subscriberSecretContext(id)) : null,
      filterProviders: input.filter?.providers ?? SUBSCRIBER_DEFAULTS.filter.providers,
      filterConnections: input.filter?.connections ?? SUBSCRIBER_DEFAULTS.filter.connections,
      filterTypes: input.filter?.types ?? SUBSCRIBER_DEFAULTS.filter.types,
      filterIncludeStale: input.filter?.includeStale ?? SUBSCRIBER_DEFAULTS.filter.includeStale,
      maxAttempts: input.retry?.maxAttempts ?? SUBSCRIBER_DEFAULTS.maxAttempts,
      backoffType: input.retry?.backoff?.type ?? SUBSCRIBER_DEFAULTS.backoff.type,
      backoffDelayMs: input.retry?.backoff?.delayMs ?? SUBSCRIBER_DEFAULTS.backoff.delayMs,
      backoffMaxDelayMs: input.retry?.backoff?.maxDelayMs ?? SUBSCRIBER_DEFAULTS.backoff.maxDelayMs,
      enabled: input.enabled ?? true,
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.subscribers.insert(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new SubscriberNameTakenError(input.name);
      throw error;
    }
    return { subscriber: this.toSubscriber(row), secret };
  }

  async get(id: string): Promise<Subscriber | null> {
    const row = await this.subscribers.findOneBy({ id });
    return row ? this.toSubscriber(row) : null;
  }

  /** Ordered by id (UUIDv7, so by creation): `after` is the last id of the previous page. */
  async list(limit: number, after?: string): Promise<Subscriber[]> {
    const rows = await this.subscribers.find({ where: after ? { id: MoreThan(after) } : {}, order: { id: 'ASC' }, take: limit });
    return rows.map((row) => this.toSubscriber(row));
  }

  /** Every subscriber, for the dispatcher's matching. */
  async all(): Promise<Subscriber[]> {
    return (await this.subscribers.find({ order: { id: 'ASC' } })).map((row) => this.toSubscriber(row));
  }

  async update(id: string, patch: SubscriberPatch): Promise<Subscriber | null> {
    const row = await this.subscribers.findOneBy({ id });
    if (!row) return null;
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.queue !== undefined && row.kind === 'queue') row.queue = patch.queue;
    if (patch.url !== undefined && row.kind === 'http') row.url = patch.url;
    if (patch.timeoutMs !== undefined) row.timeoutMs = patch.timeoutMs;
    if (patch.filter?.providers !== undefined) row.filterProviders = patch.filter.providers;
    if (patch.filter?.connections !== undefined) row.filterConnections = patch.filter.connections;
    if (patch.filter?.types !== undefined) row.filterTypes = patch.filter.types;
    if (patch.filter?.includeStale !== undefined) row.filterIncludeStale = patch.filter.includeStale;
    if (patch.retry?.maxAttempts !== undefined) row.maxAttempts = patch.retry.maxAttempts;
    if (patch.retry?.backoff?.type !== undefined) row.backoffType = patch.retry.backoff.type;
    if (patch.retry?.backoff?.delayMs !== undefined) row.backoffDelayMs = patch.retry.backoff.delayMs;
    if (patch.retry?.backoff?.maxDelayMs !== undefined) row.backoffMaxDelayMs = patch.retry.backoff.maxDelayMs;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    // Enabled by an operator: a fresh start (the reason no longer holds, the failure streak restarts).
    if (patch.enabled === true) Object.assign(row, { disabledReason: null, disabledAt: null, failingSince: null, consecutiveFailures: 0 });
    row.updatedAt = new Date();
    try {
      await this.subscribers.save(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new SubscriberNameTakenError(row.name);
      throw error;
    }
    return this.toSubscriber(row);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.subscribers.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** A failed attempt: one more in the streak, which started at `at` unless it had already. */
  async recordFailure(id: string, at: Date): Promise<void> {
    await this.subscribers
      .createQueryBuilder()
      .update(SubscriberEntity)
      .set({ consecutiveFailures: () => 'consecutive_failures + 1', failingSince: () => 'COALESCE(failing_since, :at)' })
      .where('id = :id', { id, at: at.getTime() })
      .execute();
  }

  /** When the subscriber's current failure streak began, as stored (the first failure any worker recorded); null when it is not failing. */
  async failingSince(id: string): Promise<Date | null> {
    const row = await this.subscribers.findOne({ select: { id: true, failingSince: true }, where: { id } });
    return row?.failingSince ?? null;
  }

  /** A successful attempt after failures: the streak ends. */
  async recordRecovery(id: string): Promise<void> {
    await this.subscribers.createQueryBuilder().update(SubscriberEntity).set({ consecutiveFailures: 0, failingSince: null }).where('id = :id AND failing_since IS NOT NULL', { id }).execute();
  }

  /** Disable on behalf of delivery, saying why; false when it was disabled already (the first reason stays). */
  async disable(id: string, reason: string, at = new Date()): Promise<boolean> {
    const result = await this.subscribers
      .createQueryBuilder()
      .update(SubscriberEntity)
      .set({ enabled: false, disabledReason: reason.slice(0, 500), disabledAt: at, updatedAt: at })
      // TRUE is a keyword of both PostgreSQL and SQLite (≥ 3.23); better-sqlite3 cannot bind a boolean.
      .where('id = :id AND enabled = TRUE', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Disable it if it has failed every attempt since `since` or earlier; returns the reason when it did. */
  async pauseIfFailingSince(id: string, since: Date, at = new Date()): Promise<string | null> {
    const row = await this.subscribers.findOne({ select: { id: true, enabled: true, failingSince: true, consecutiveFailures: true }, where: { id } });
    if (!row?.enabled || !row.failingSince || row.failingSince > since) return null;
    const reason = `failing since ${row.failingSince.toISOString()} (${row.consecutiveFailures} consecutive failures)`;
    return (await this.disable(id, reason, at)) ? reason : null;
  }

  /** The http subscriber's signing secret, for the worker only. */
  async signingSecret(id: string): Promise<string | null> {
    const row = await this.subscribers.findOne({ select: { id: true, secretSealed: true }, where: { id } });
    return row?.secretSealed ? this.box.open(row.secretSealed, subscriberSecretContext(row.id)).toString('utf8') : null;
  }

  /**
   * No fingerprint for a secret that does not open (tampered, moved from another row, or sealed
   * with a key no longer configured): listing subscribers and matching events to them still work,
   * while signingSecret refuses, so that subscriber's deliveries fail instead of being signed.
   */
  private secretFingerprint(row: SubscriberEntity): { secretFingerprint?: string } {
    if (!row.secretSealed) return {};
    try {
      return { secretFingerprint: this.box.fingerprint(this.box.open(row.secretSealed, subscriberSecretContext(row.id)).toString('utf8')) };
    } catch {
      return {};
    }
  }

  private toSubscriber(row: SubscriberEntity): Subscriber {
    const settings: SubscriberSettings = {
      id: row.id,
      name: row.name,
      timeoutMs: row.timeoutMs,
      filter: { providers: row.filterProviders, connections: row.filterConnections ?? [], types: row.filterTypes, includeStale: row.filterIncludeStale },
      retry: { maxAttempts: row.maxAttempts, backoff: { type: row.backoffType, delayMs: row.backoffDelayMs, maxDelayMs: row.backoffMaxDelayMs } },
      enabled: row.enabled,
      disabledReason: row.disabledReason,
      disabledAt: row.disabledAt?.toISOString() ?? null,
      failingSince: row.failingSince?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
    // The table allows null in the column of the other kind; a row always has its own kind's.
    return row.kind === 'queue' ? { ...settings, kind: 'queue', queue: row.queue ?? '' } : { ...settings, kind: 'http', url: row.url ?? '', ...this.secretFingerprint(row) };
  }
}
