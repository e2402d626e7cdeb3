import { Logger, OnApplicationShutdown } from '@nestjs/common';

/**
 * A table kept in memory, loaded whole: reloaded on a timer, on a change announcement
 * (`invalidate`) and on demand, one load at a time. Readers keep the previous snapshot while a
 * load runs, and after a load fails (logged once per failure).
 */
export abstract class ReloadingCache<Snapshot> implements OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private current: Snapshot;
  private loading: Promise<void> | undefined;
  private loadStartedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `what` names the rows in the log ("subscribers"); `empty` is served until the first load. */
  protected constructor(
    private readonly what: string,
    empty: Snapshot,
  ) {
    this.current = empty;
  }

  /** Read every row anew; throws when the store cannot answer. */
  protected abstract fetch(): Promise<Snapshot>;

  /** Told after each load, with the snapshot it replaced. */
  protected replaced?(previous: Snapshot, next: Snapshot): void;

  protected get snapshot(): Snapshot {
    return this.current;
  }

  /** When the last load started (epoch ms; 0 before the first). */
  protected get lastLoadStartedAt(): number {
    return this.loadStartedAt;
  }

  protected reloadEvery(intervalMs: number): void {
    this.timer = setInterval(() => void this.reload().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reload from the store, joining a load in progress; on failure the previous snapshot stays in use. */
  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** Bring the cache up to date with every change committed before this call. Never throws. */
  async invalidate(): Promise<void> {
    // A load already running may have read before the change: let it end, then load anew
    // (callers arriving meanwhile share that one new load, which also started after their change).
    await this.settled();
    await this.reload().catch(() => undefined);
  }

  /** Wait for the load in progress, if any, whatever its outcome. */
  protected async settled(): Promise<void> {
    await this.loading?.catch(() => undefined);
  }

  private async load(): Promise<void> {
    this.loadStartedAt = Date.now();
    let next: Snapshot;
    try {
      next = await this.fetch();
    } catch (error) {
      this.logger.warn(`could not reload ${this.what}, keeping the cached ones: ${(error as Error).message}`);
      throw error;
    }
    const previous = this.current;
    this.current = next;
    this.replaced?.(previous, next);
  }
}
