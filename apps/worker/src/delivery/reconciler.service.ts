import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeliveryStore, Subscriber } from '@kyc/persistence';
import { DeliveryScheduler } from '@kyc/queue';
import { SubscriberCache } from '../subscribers/subscriber-cache.service';

/**
 * The queue is not the source of truth. Periodically, pending deliveries of enabled subscribers
 * that are overdue and have no live job (Redis lost its data, a job was removed, a worker died
 * between recording an attempt and scheduling the next) are queued again. A subscriber that is
 * enabled again has its waiting deliveries queued at once.
 */
@Injectable()
export class DeliveryReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly INTERVAL_MS = 15_000;
  /** How overdue a pending delivery must be before its job counts as lost. */
  static readonly GRACE_MS = 30_000;
  private static readonly BATCH = 500;
  private readonly logger = new Logger(DeliveryReconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly subscribers: SubscriberCache,
    private readonly scheduler: DeliveryScheduler,
  ) {
    subscribers.onEnabled((subscriber) => void this.resume([subscriber], Date.now()).catch(() => undefined));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.reconcile().catch(() => undefined), DeliveryReconciler.INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every enabled subscriber; returns how many deliveries were queued again. */
  reconcile(graceMs = DeliveryReconciler.GRACE_MS): Promise<number> {
    this.running ??= this.resume(this.subscribers.all().filter((subscriber) => subscriber.enabled), Date.now() - graceMs).finally(() => (this.running = undefined));
    return this.running;
  }

  private async resume(subscribers: Subscriber[], dueBy: number): Promise<number> {
    const due = await this.deliveries.findDue(subscribers.map((subscriber) => subscriber.id), new Date(dueBy), DeliveryReconciler.BATCH);
    const queued = await Promise.all(due.map((delivery) => this.scheduler.isQueued(delivery)));
    const lost = due.filter((_, index) => !queued[index]);
    await this.scheduler.schedule(lost);
    if (lost.length > 0) this.logger.log(`queued ${lost.length} pending deliveries again`);
    return lost.length;
  }
}
