import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Subscriber, SubscriberStore } from '@kyc/persistence';

/**
 * Subscribers in memory for the dispatcher and the delivery processor, reloaded every few
 * seconds. Announces subscribers that became enabled, so their waiting deliveries resume at once.
 */
@Injectable()
export class SubscriberCache implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly RELOAD_MS = 2_000;
  private readonly logger = new Logger(SubscriberCache.name);
  private byId = new Map<string, Subscriber>();
  private loading: Promise<void> | undefined;
  private lastLoadStartedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly enabledListeners: Array<(subscriber: Subscriber) => void> = [];

  constructor(private readonly store: SubscriberStore) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload().catch(() => undefined);
    this.timer = setInterval(() => void this.reload().catch(() => undefined), SubscriberCache.RELOAD_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  onEnabled(listener: (subscriber: Subscriber) => void): void {
    this.enabledListeners.push(listener);
  }

  all(): Subscriber[] {
    return [...this.byId.values()];
  }

  /** A subscriber, reloading once if it is not known yet (created since the last load). */
  async get(id: string): Promise<Subscriber | undefined> {
    if (!this.byId.has(id)) await this.reload();
    return this.byId.get(id);
  }

  /**
   * Every subscriber that existed at `instant` (epoch ms): reloads unless a load started after it,
   * so a subscriber created just before an event was received is never missed.
   */
  async allAsOf(instant: number): Promise<Subscriber[]> {
    await this.loading?.catch(() => undefined);
    if (this.lastLoadStartedAt <= instant) await this.reload();
    return this.all();
  }

  /** Apply a change this worker just made in the database, without waiting for the next reload. */
  patch(id: string, fields: Partial<Subscriber>): void {
    const subscriber = this.byId.get(id);
    if (subscriber) this.byId.set(id, { ...subscriber, ...fields });
  }

  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.lastLoadStartedAt = Date.now();
    let subscribers: Subscriber[];
    try {
      subscribers = await this.store.all();
    } catch (error) {
      this.logger.warn(`could not reload subscribers, keeping the cached ones: ${(error as Error).message}`);
      throw error;
    }
    const previous = this.byId;
    this.byId = new Map(subscribers.map((subscriber) => [subscriber.id, subscriber]));
    for (const subscriber of subscribers) {
      if (subscriber.enabled && previous.get(subscriber.id)?.enabled === false) this.enabledListeners.forEach((listener) => listener(subscriber));
    }
  }
}
