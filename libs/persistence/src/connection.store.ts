import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, MoreThan, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson, ConflictError, constantTimeEqual, SecretBox, type SealContext } from '@kyc/core';
import { ConnectionEntity } from './entities';
import { isUniqueViolation } from './storage-errors';

/** A connection with its secrets opened, as the ingress needs it. */
export interface OpenedConnection {
  id: string;
  provider: string;
  name: string;
  enabled: boolean;
  secrets: Record<string, string>;
  /** Previous secrets, still accepted until `previousSecretsExpireAt` (rotation grace). */
  previousSecrets: Record<string, string> | null;
  previousSecretsExpireAt: Date | null;
  options: Record<string, unknown>;
}

/** What the admin API shows of a secret: enough to tell two apart, nothing to recover it. */
export interface SecretFingerprint {
  fingerprint: string;
}

/** A connection as it may leave this store for display: every secret value replaced by its fingerprint. */
export interface Connection {
  id: string;
  provider: string;
  name: string;
  enabled: boolean;
  secrets: Record<string, SecretFingerprint>;
  /** Only while a rotation's grace runs. */
  previousSecrets: Record<string, SecretFingerprint> | null;
  previousSecretsExpireAt: string | null;
  /** As set by the operator; the values of `requiredHeaders` as fingerprints. */
  options: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionInput {
  provider: string;
  name: string;
  enabled?: boolean;
  secrets: Record<string, string>;
  options: Record<string, unknown>;
}

/** Provider and name are fixed: together they are the connection's ingress URL. */
export interface ConnectionPatch {
  enabled?: boolean;
  /** Replaces the secrets at once, ending any rotation grace. */
  secrets?: Record<string, string>;
  /** The complete new options. */
  options?: Record<string, unknown>;
}

export class ConnectionNameTakenError extends ConflictError {
  constructor(provider: string, name: string) {
    super('CONNECTION_NAME_TAKEN', `a connection ${provider}/${name} exists already`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const mapValues = <T>(record: Record<string, unknown>, map: (value: unknown, key: string) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value, key)]));

/** Where each sealed value of a connection lives: a value copied to another place does not open. */
export const connectionSealContext = {
  secrets: (rowId: string): SealContext => ({ table: 'connections', column: 'secrets_sealed', rowId }),
  previousSecrets: (rowId: string): SealContext => ({ table: 'connections', column: 'previous_secrets_sealed', rowId }),
  requiredHeader: (rowId: string, header: string): SealContext => ({ table: 'connections', column: `options.requiredHeaders.${header}`, rowId }),
};

/**
 * Connections with their secrets sealed with SECRETS_KEY. The values of `options.requiredHeaders`
 * (e.g. `authorization: Bearer <token>`) are secrets too: they are sealed one by one inside the
 * stored options JSON, and only fingerprints of them leave this store towards the admin API.
 */
@Injectable()
export class ConnectionStore {
  constructor(
    @InjectRepository(ConnectionEntity) private readonly connections: Repository<ConnectionEntity>,
    private readonly box: SecretBox,
  ) {}

  async listOpened(): Promise<OpenedConnection[]> {
    const rows = await this.connections.find({ order: { provider: 'ASC', name: 'ASC' } });
    return rows.map((row) => this.open(row));
  }

  async getOpened(id: string): Promise<OpenedConnection | null> {
    const row = await this.connections.findOneBy({ id });
    return row ? this.open(row) : null;
  }

  async get(id: string): Promise<Connection | null> {
    const row = await this.connections.findOneBy({ id });
    return row ? this.toConnection(row) : null;
  }

  /** Ordered by id (UUIDv7, so by creation): `after` is the last id of the previous page. */
  async list(limit: number, after?: string, provider?: string): Promise<Connection[]> {
    const where: FindOptionsWhere<ConnectionEntity> = { ...(after ? { id: MoreThan(after) } : {}), ...(provider ? { provider } : {}) };
    const rows = await this.connections.find({ where, order: { id: 'ASC' }, take: limit });
    return rows.map((row) => this.toConnection(row));
  }

  async create(input: ConnectionInput): Promise<Connection> {
    const now = new Date();
    // The id comes first: every sealed value is bound to its row.
    const id = uuidv7();
    const row = this.connections.create({
      id,
      provider: input.provider,
      name: input.name,
      enabled: input.enabled ?? true,
      secretsSealed: this.box.sealJson(input.secrets, connectionSealContext.secrets(id)),
      previousSecretsSealed: null,
      previousSecretsExpireAt: null,
      options: this.sealOptions(id, input.options),
      createdAt: now,
      updatedAt: now,
    });
    try {
      // `as never`: TypeORM's deep-partial insert type does not take a Record<string, unknown> column.
      await this.connections.insert({ ...row, options: row.options as never });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConnectionNameTakenError(input.provider, input.name);
      throw error;
    }
    return this.toConnection(row);
  }

  async update(id: string, patch: ConnectionPatch): Promise<Connection | null> {
    const row = await this.connections.findOneBy({ id });
    if (!row) return null;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (patch.options !== undefined) row.options = this.sealOptions(id, patch.options);
    if (patch.secrets !== undefined) {
      // A replacement (e.g. after a leak) means the old secrets must stop working now, rotation or not.
      row.secretsSealed = this.box.sealJson(patch.secrets, connectionSealContext.secrets(id));
      row.previousSecretsSealed = null;
      row.previousSecretsExpireAt = null;
    }
    row.updatedAt = new Date();
    await this.connections.save(row);
    return this.toConnection(row);
  }

  /**
   * New secrets become current; the current ones keep verifying until `previousUntil` (none when
   * null). One previous set at most: rotating again during a grace ends the older one.
   */
  async rotate(id: string, secrets: Record<string, string>, previousUntil: Date | null): Promise<Connection | null> {
    const row = await this.connections.findOneBy({ id });
    if (!row) return null;
    // Sealed values are bound to their column: the current secrets are re-sealed as the previous ones.
    row.previousSecretsSealed = previousUntil ? this.box.sealJson(this.box.openJson(row.secretsSealed, connectionSealContext.secrets(id)), connectionSealContext.previousSecrets(id)) : null;
    row.previousSecretsExpireAt = previousUntil;
    row.secretsSealed = this.box.sealJson(secrets, connectionSealContext.secrets(id));
    row.updatedAt = new Date();
    await this.connections.save(row);
    return this.toConnection(row);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.connections.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Create a connection unless it exists (the `default` connections the environment describes).
   * An existing one is never overwritten: a secret replaced through the admin API after a leak
   * must not come back at the next restart. `differs` says the stored secrets or options are not
   * the given ones (the caller warns; the stored ones stay in effect).
   */
  async createIfMissing(provider: string, name: string, secrets: Record<string, string>, options: Record<string, unknown>): Promise<'created' | 'unchanged' | 'differs'> {
    try {
      return await this.createIfMissingOnce(provider, name, secrets, options);
    } catch (error) {
      // Several gateways booting at once on a new database all find no row and all insert it; the
      // losers of that race compare with the row the winner created instead of failing the boot
      // (found by the fault-injection suite).
      if (!(error instanceof ConnectionNameTakenError)) throw error;
      return this.createIfMissingOnce(provider, name, secrets, options);
    }
  }

  private async createIfMissingOnce(provider: string, name: string, secrets: Record<string, string>, options: Record<string, unknown>): Promise<'created' | 'unchanged' | 'differs'> {
    const existing = await this.connections.findOne({ where: { provider, name } });
    if (!existing) {
      await this.create({ provider, name, secrets, options });
      return 'created';
    }
    // Header values stored in plain text (before they were sealed) are rewritten sealed, unchanged.
    if (this.hasPlainHeaders(existing.options)) {
      await this.connections.update({ id: existing.id }, { options: this.sealOptions(existing.id, this.openOptions(existing.id, existing.options)) as never });
    }
    // Both compared whole and in constant time: they hold secrets (options: the required header values).
    const sameSecrets = constantTimeEqual(canonicalJson(this.box.openJson(existing.secretsSealed, connectionSealContext.secrets(existing.id))), canonicalJson(secrets));
    const sameOptions = constantTimeEqual(canonicalJson(this.openOptions(existing.id, existing.options)), canonicalJson(options));
    return sameSecrets && sameOptions ? 'unchanged' : 'differs';
  }

  private open(row: ConnectionEntity): OpenedConnection {
    return {
      id: row.id,
      provider: row.provider,
      name: row.name,
      enabled: row.enabled,
      secrets: this.box.openJson<Record<string, string>>(row.secretsSealed, connectionSealContext.secrets(row.id)),
      previousSecrets: row.previousSecretsSealed ? this.box.openJson<Record<string, string>>(row.previousSecretsSealed, connectionSealContext.previousSecrets(row.id)) : null,
      previousSecretsExpireAt: row.previousSecretsExpireAt,
      options: this.openOptions(row.id, row.options),
    };
  }

  private toConnection(row: ConnectionEntity): Connection {
    const opened = this.open(row);
    const inGrace = opened.previousSecrets !== null && opened.previousSecretsExpireAt !== null && opened.previousSecretsExpireAt.getTime() > Date.now();
    const headers = opened.options.requiredHeaders;
    return {
      id: row.id,
      provider: row.provider,
      name: row.name,
      enabled: row.enabled,
      secrets: this.fingerprints(opened.secrets),
      previousSecrets: inGrace ? this.fingerprints(opened.previousSecrets!) : null,
      previousSecretsExpireAt: inGrace ? opened.previousSecretsExpireAt!.toISOString() : null,
      options: isRecord(headers) ? { ...opened.options, requiredHeaders: this.fingerprints(headers) } : opened.options,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  private fingerprints(secrets: Record<string, unknown>): Record<string, SecretFingerprint> {
    return mapValues(secrets, (value) => ({ fingerprint: this.box.fingerprint(String(value)) }));
  }

  private sealOptions(id: string, options: Record<string, unknown>): Record<string, unknown> {
    const headers = options.requiredHeaders;
    if (!isRecord(headers)) return options;
    return {
      ...options,
      requiredHeaders: mapValues(headers, (value, header) => (typeof value === 'string' ? this.box.seal(value, connectionSealContext.requiredHeader(id, header)) : value)),
    };
  }

  private openOptions(id: string, stored: Record<string, unknown>): Record<string, unknown> {
    const headers = stored.requiredHeaders;
    if (!isRecord(headers)) return stored;
    return {
      ...stored,
      requiredHeaders: mapValues(headers, (value, header) => (typeof value === 'string' ? this.openHeader(value, connectionSealContext.requiredHeader(id, header)) : value)),
    };
  }

  private hasPlainHeaders(stored: Record<string, unknown>): boolean {
    const headers = stored.requiredHeaders;
    return isRecord(headers) && Object.values(headers).some((value) => typeof value === 'string' && !this.box.isSealed(value));
  }

  /**
   * The value sealed in `text`, or `text` itself when it is not sealed (a header value stored in
   * plain text before values were sealed). A value shaped as sealed must open: one that does not
   * (tampered, or moved from another connection or header) throws rather than pass as plain text.
   */
  private openHeader(text: string, context: SealContext): string {
    return this.box.isSealed(text) ? this.box.open(text, context).toString('utf8') : text;
  }
}
