import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { SecretBox } from '@kyc/core';
import { ConnectionEntity } from './entities';

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

@Injectable()
export class ConnectionStore {
  constructor(
    @InjectRepository(ConnectionEntity) private readonly connections: Repository<ConnectionEntity>,
    private readonly box: SecretBox,
  ) {}

  async listOpened(): Promise<OpenedConnection[]> {
    const rows = await this.connections.find({ order: { provider: 'ASC', name: 'ASC' } });
    return rows.map((row) => ({
      id: row.id,
      provider: row.provider,
      name: row.name,
      enabled: row.enabled,
      secrets: this.box.openJson<Record<string, string>>(row.secretsSealed),
      previousSecrets: row.previousSecretsSealed ? this.box.openJson<Record<string, string>>(row.previousSecretsSealed) : null,
      previousSecretsExpireAt: row.previousSecretsExpireAt,
      options: row.options,
    }));
  }

  /**
   * Create or update a connection's secrets and options (used for the `default` connections the
   * environment describes). Returns whether anything changed.
   */
  async upsert(provider: string, name: string, secrets: Record<string, string>, options: Record<string, unknown>): Promise<'created' | 'updated' | 'unchanged'> {
    const now = new Date();
    const existing = await this.connections.findOne({ where: { provider, name } });
    if (!existing) {
      await this.connections.insert({
        id: uuidv7(),
        provider,
        name,
        enabled: true,
        secretsSealed: this.box.sealJson(secrets),
        previousSecretsSealed: null,
        previousSecretsExpireAt: null,
        options: options as never,
        createdAt: now,
        updatedAt: now,
      });
      return 'created';
    }
    const sameSecrets = JSON.stringify(this.box.openJson(existing.secretsSealed)) === JSON.stringify(secrets);
    const sameOptions = JSON.stringify(existing.options) === JSON.stringify(options);
    if (sameSecrets && sameOptions) return 'unchanged';
    await this.connections.update({ id: existing.id }, { secretsSealed: this.box.sealJson(secrets), options: options as never, updatedAt: now });
    return 'updated';
  }
}
