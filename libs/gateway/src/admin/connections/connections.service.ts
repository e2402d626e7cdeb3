import { Injectable } from '@nestjs/common';
import { constantTimeEqual, NotFoundError, ValidationFailedError } from '@kyc/core';
import { Connection, ConnectionStore, OpenedConnection } from '@kyc/persistence';
import { ConnectionConfigError, findProvider, ProviderAdapter } from '@kyc/providers';
import { ConnectionChange, ConnectionChangeBus } from '@kyc/queue';
import { Page, paginate } from '../pagination';
import { ConnectionDto, ConnectionQuery, CreateConnectionDto, DEFAULT_GRACE_SECONDS, RotateConnectionDto, UpdateConnectionDto } from './connection.dto';

/**
 * Connections through the admin API: checks secrets and options with the provider's adapter,
 * and announces each change on the connection change bus (in effect on this gateway before the
 * answer, on the others through Redis).
 */
@Injectable()
export class ConnectionsService {
  constructor(
    private readonly store: ConnectionStore,
    private readonly changes: ConnectionChangeBus,
  ) {}

  async list(query: ConnectionQuery): Promise<Page<ConnectionDto>> {
    const page = await paginate(query, (take, afterId) => this.store.list(take, afterId, query.provider));
    return { data: page.data.map(toConnectionDto), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<ConnectionDto> {
    return toConnectionDto((await this.store.get(id)) ?? notFound());
  }

  async create(body: CreateConnectionDto): Promise<ConnectionDto> {
    const options = body.options ?? {};
    checkConfiguration(findProvider(body.provider)!, body.secrets, options);
    await this.refuseSharedSecrets(body.provider, body.secrets);
    const connection = await this.store.create({ provider: body.provider, name: body.name, enabled: body.enabled, secrets: body.secrets, options });
    return this.changed(connection, 'created');
  }

  async update(id: string, body: UpdateConnectionDto): Promise<ConnectionDto> {
    const current = (await this.store.getOpened(id)) ?? notFound();
    const options = body.options === undefined ? undefined : mergeOptions(current.options, body.options);
    // New options may not fit the current secrets (e.g. another key encoding), so both are checked.
    if (options !== undefined || body.secrets !== undefined) {
      checkConfiguration(adapterOf(current.provider), body.secrets ?? current.secrets, options ?? current.options);
    }
    if (body.secrets !== undefined) await this.refuseSharedSecrets(current.provider, body.secrets, id);
    const connection = (await this.store.update(id, { enabled: body.enabled, secrets: body.secrets, options })) ?? notFound();
    return this.changed(connection, 'updated');
  }

  async rotate(id: string, body: RotateConnectionDto): Promise<ConnectionDto> {
    const current = (await this.store.getOpened(id)) ?? notFound();
    checkConfiguration(adapterOf(current.provider), body.secrets, current.options);
    await this.refuseSharedSecrets(current.provider, body.secrets, id);
    const graceSeconds = body.graceSeconds ?? DEFAULT_GRACE_SECONDS;
    const previousUntil = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1_000) : null;
    const connection = (await this.store.rotate(id, body.secrets, previousUntil)) ?? notFound();
    return this.changed(connection, 'rotated');
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.delete(id))) notFound();
    await this.changes.announce({ connectionId: id, change: 'deleted' });
  }

  /**
   * Two connections of one provider must not share a secret: each has its own dedup scope, so a
   * webhook captured on one would be accepted again, as new, on the other. Compared with every
   * other connection's current secrets and, during a rotation grace, its previous ones (in
   * constant time: they are secrets). 400 naming the field.
   */
  private async refuseSharedSecrets(provider: string, secrets: Record<string, string>, exceptId?: string): Promise<void> {
    const now = Date.now();
    const others = (await this.store.listOpened()).filter((connection) => connection.provider === provider && connection.id !== exceptId);
    const fields: Record<string, string[]> = {};
    for (const [field, value] of Object.entries(secrets)) {
      const holder = others.find((other) => verifyingSecrets(other, now).some((secret) => constantTimeEqual(secret, value)));
      if (holder) {
        fields[`secrets.${field}`] = [
          `secrets.${field} is a secret of the connection ${provider}/${holder.name} already: connections must not share secrets ` + '(a webhook captured on one would be accepted again on the other)',
        ];
      }
    }
    if (Object.keys(fields).length > 0) throw new ValidationFailedError(fields);
  }

  private async changed(connection: Connection, change: ConnectionChange): Promise<ConnectionDto> {
    await this.changes.announce({ connectionId: connection.id, change });
    return toConnectionDto(connection);
  }
}

/** Every secret value that currently verifies webhooks for the connection. */
function verifyingSecrets(connection: OpenedConnection, now: number): string[] {
  const inGrace = connection.previousSecrets !== null && (connection.previousSecretsExpireAt?.getTime() ?? 0) > now;
  return [...Object.values(connection.secrets), ...(inGrace ? Object.values(connection.previousSecrets!) : [])];
}

function toConnectionDto(connection: Connection): ConnectionDto {
  const { id, provider, name, enabled, secrets, previousSecrets, previousSecretsExpireAt, options, createdAt, updatedAt } = connection;
  return {
    id,
    provider,
    name,
    enabled,
    secrets,
    previousSecrets,
    previousSecretsExpireAt,
    options,
    createdAt,
    updatedAt,
    ingressUrl: `/webhooks/${provider}/${name}`,
    warnings: warningsOf(connection),
  };
}

/**
 * The adapter's `securityWarnings` for a stored connection. Warnings depend on which secrets and
 * options are set, never on their values, so the fingerprints stand in for the values here.
 */
function warningsOf(connection: Connection): string[] {
  const adapter = findProvider(connection.provider);
  if (!adapter?.securityWarnings) return [];
  const secrets = Object.fromEntries(Object.entries(connection.secrets).map(([name, { fingerprint }]) => [name, fingerprint]));
  const { requiredHeaders, ...rest } = connection.options;
  const headers = isRecord(requiredHeaders)
    ? Object.fromEntries(Object.entries(requiredHeaders).map(([name, value]) => [name, isRecord(value) ? String(value.fingerprint) : String(value)]))
    : requiredHeaders;
  try {
    return adapter.securityWarnings({ secrets, options: adapter.parseOptions(headers === undefined ? rest : { ...rest, requiredHeaders: headers }) });
  } catch (error) {
    if (!(error instanceof ConnectionConfigError)) throw error;
    // Stored before a rule was added: the connection still serves, but cannot be changed as it is.
    return [`options no longer valid (${error.message}); fix them through PATCH`];
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Secrets against the adapter's `secretFields` and `checkSecrets`, options through its
 * `parseOptions`; every problem becomes a 400 naming the field (`secrets.cryptoKey`, `options.gcmIvBytes`).
 */
function checkConfiguration(adapter: ProviderAdapter, secrets: Record<string, string>, options: Record<string, unknown>): void {
  const fields: Record<string, string[]> = {};
  const fail = (path: string, message: string) => (fields[path] ??= []).push(message);
  const failWith = (prefix: string, error: unknown) => {
    if (!(error instanceof ConnectionConfigError)) throw error;
    fail(`${prefix}.${error.field}`, `${prefix}.${error.message}`);
  };

  const { required, optional } = adapter.secretFields;
  for (const field of required) {
    if (secrets[field] === undefined) fail(`secrets.${field}`, `secrets.${field} is required`);
  }
  for (const field of Object.keys(secrets)) {
    if (!required.includes(field) && !optional.includes(field)) fail(`secrets.${field}`, `secrets.${field} is not a ${adapter.name} secret`);
  }
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = adapter.parseOptions(options);
  } catch (error) {
    failWith('options', error);
  }
  if (parsed && Object.keys(fields).length === 0) {
    try {
      adapter.checkSecrets(secrets, parsed);
    } catch (error) {
      failWith('secrets', error);
    }
  }
  if (Object.keys(fields).length > 0) throw new ValidationFailedError(fields);
}

/** Top-level merge, as JSON Merge Patch: a given option replaces the current one, `null` removes it. */
function mergeOptions(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...current, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === null) delete merged[key];
  return merged;
}

/** A stored connection of a provider this build no longer supports cannot be checked, so not changed. */
function adapterOf(provider: string): ProviderAdapter {
  const adapter = findProvider(provider);
  if (!adapter) throw new ValidationFailedError({ provider: [`provider ${provider} is not supported by this gateway`] });
  return adapter;
}

function notFound(): never {
  throw new NotFoundError('connection not found');
}
