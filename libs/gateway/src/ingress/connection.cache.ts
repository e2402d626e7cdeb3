import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { sleep } from '@kyc/core';
import { ConnectionStore } from '@kyc/persistence';
import { ReloadingCache } from '@kyc/platform';
import { findProvider, type PreparedConnection } from '@kyc/providers';
import { ConnectionChangeBus, ConnectionChangeSubscription } from '@kyc/queue';

export interface CachedConnection {
  provider: string;
  name: string;
  enabled: boolean;
  /** Prepared once per load: options parsed, keys decoded. */
  current: PreparedConnection;
  /** Rotation grace: the previous secrets and until when they still verify. */
  previous: { credentials: PreparedConnection; expiresAt: number } | null;
}

/**
 * Connections with their secrets opened, kept in memory so the hot path never reads or decrypts
 * secrets per request. Reloaded on every change on the connection change bus (this gateway's admin
 * API, awaited before it answers, and any other's through Redis pub/sub), every
 * CONNECTION_CACHE_TTL_MS, and, only while the change feed is down (no change message would
 * arrive), on demand when a request finds no connection that verifies it: then the cache is
 * brought up to the moment the request arrived, at most one load per MIN_RELOAD_GAP_MS. So a
 * flood of unknown names or unverifiable bodies costs no database load while the feed is up, and
 * at most one load a second while it is down.
 */
@Injectable()
export class ConnectionCache extends ReloadingCache<Map<string, CachedConnection[]>> implements OnApplicationBootstrap {
  static readonly MIN_RELOAD_GAP_MS = 1_000;
  private changes: ConnectionChangeSubscription | undefined;

  constructor(
    private readonly store: ConnectionStore,
    private readonly config: AppConfig,
    private readonly bus: ConnectionChangeBus,
  ) {
    super('connections', new Map());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.reloadEvery(this.config.env.CONNECTION_CACHE_TTL_MS);
    this.changes = this.bus.subscribe(() => this.invalidate());
  }

  override onApplicationShutdown(): void {
    super.onApplicationShutdown();
    this.changes?.close();
  }

  /** Whether the change feed is subscribed (then a miss never reloads on demand). */
  get changeFeedLive(): boolean {
    return this.changes?.live ?? false;
  }

  /** All connections of a provider, enabled or not. */
  ofProvider(provider: string): readonly CachedConnection[] {
    return this.snapshot.get(provider) ?? [];
  }

  find(provider: string, name: string): CachedConnection | undefined {
    return this.ofProvider(provider).find((connection) => connection.name === name);
  }

  /** Look up; on a miss, make sure the cache reflects every change committed before `since`. */
  async findFresh(provider: string, name: string, since: number): Promise<CachedConnection | undefined> {
    const cached = this.find(provider, name);
    if (cached) return cached;
    await this.refreshSince(since);
    return this.find(provider, name);
  }

  /**
   * Reload unless the change feed is up (it brings every change) or a load that started at or
   * after `since` already happened. A load in progress (a change just announced) is waited for
   * either way: it costs nothing more. Never throws.
   */
  async refreshSince(since: number): Promise<void> {
    await this.settled();
    if (this.changes?.live) return;
    if (this.lastLoadStartedAt >= since) return;
    const wait = this.lastLoadStartedAt + ConnectionCache.MIN_RELOAD_GAP_MS - Date.now();
    if (wait > 0) await sleep(wait);
    if (this.lastLoadStartedAt < since) await this.reload().catch(() => undefined);
  }

  protected async fetch(): Promise<Map<string, CachedConnection[]>> {
    const rows = await this.store.listOpened();
    const next = new Map<string, CachedConnection[]>();
    for (const row of rows) {
      const adapter = findProvider(row.provider);
      if (!adapter) continue;
      try {
        // prepare parses the options once for the load: options that no longer parse leave the connection out (below).
        const { options } = row;
        const connection: CachedConnection = {
          provider: row.provider,
          name: row.name,
          enabled: row.enabled,
          current: adapter.prepare({ secrets: row.secrets, options }),
          previous:
            row.previousSecrets && row.previousSecretsExpireAt ? { credentials: adapter.prepare({ secrets: row.previousSecrets, options }), expiresAt: row.previousSecretsExpireAt.getTime() } : null,
        };
        next.set(row.provider, [...(next.get(row.provider) ?? []), connection]);
      } catch (error) {
        this.logger.error(`connection ${row.provider}/${row.name} is ignored: ${(error as Error).message}`);
      }
    }
    return next;
  }
}
