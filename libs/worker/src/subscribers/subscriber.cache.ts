import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ReloadingCache } from '@kyc/platform';
import { Subscriber, SubscriberStore } from '@kyc/persistence';

/**
 * Subscribers in memory for the dispatcher and the delivery processor, reloaded every few
 * seconds. Announces subscribers that became enabled, so their waiting deliveries resume at once.
 */
@Injectable()
export class SubscriberCache extends ReloadingCache<Map<string, Subscriber>> implements OnApplicationBootstrap {
  static readonly RELOAD_MS = 2_000;
  private readonly enabledListeners: Array<(subscriber: Subscriber) => void> = [];

  constructor(private readonly store: SubscriberStore) {
    super('subscribers', new Map());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload().catch(() => undefined);
    this.reloadEvery(SubscriberCache.RELOAD_MS);
  }

  onEnabled(listener: (subscriber: Subscriber) => void): void {
    this.enabledListeners.push(listener);
  }

  all(): Subscriber[] {
    return [...this.snapshot.values()];
  }

  /** A subscriber, reloading once if it is not known yet (created since the last load). */
  async get(id: string): Promise<Subscriber | undefined> {
    if (!this.snapshot.has(id)) await this.reload();
    return this.snapshot.get(id);
  }

  /**
   * Every subscriber that existed at `instant` (epoch ms): reloads unless a load started after it,
   * so a subscriber created just before an event was received is never missed.
   */
  async allAsOf(instant: number): Promise<Subscriber[]> {
    await this.settled();
    if (this.lastLoadStartedAt <= instant) await this.reload();
    return this.all();
  }

  /** Apply a change this worker just made in the database, without waiting for the next reload. */
  patch(id: string, fields: Partial<Pick<Subscriber, 'enabled' | 'disabledReason' | 'disabledAt' | 'failingSince'>>): void {
    const subscriber = this.snapshot.get(id);
    if (subscriber) this.snapshot.set(id, { ...subscriber, ...fields });
  }

  protected async fetch(): Promise<Map<string, Subscriber>> {
    const subscribers = await this.store.all();
    return new Map(subscribers.map((subscriber) => [subscriber.id, subscriber]));
  }

  protected override replaced(previous: Map<string, Subscriber>, next: Map<string, Subscriber>): void {
    for (const subscriber of next.values()) {
      if (subscriber.enabled && previous.get(subscriber.id)?.enabled === false) this.enabledListeners.forEach((listener) => listener(subscriber));
    }
  }
}
