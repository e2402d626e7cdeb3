import { Injectable, Logger } from '@nestjs/common';
import { DeliveryEntity, DeliveryStore, EventStore, Subscriber } from '@kyc/persistence';
import { PeriodicTask } from '@kyc/platform';
import { DeliveryScheduler } from '@kyc/queue';
import { SubscriberCache } from '../subscribers/subscriber.cache';
import { BulkQueueDelivery } from './bulk-queue-delivery';

/**
 * The queue is not the source of truth. Periodically, pending deliveries of enabled subscribers
 * that are overdue and have no live job (Redis lost its data, a job was removed, a worker died
 * between recording an attempt and scheduling the next) are queued again. A subscriber that is
 * enabled again has its waiting deliveries queued at once, all of them, page by page: queue
 * subscribers through the bulk path (a backlog of 50,000 drains in seconds), HTTP subscribers
 * as one job per delivery.
 */
@Injectable()
export class DeliveryReconciler extends PeriodicTask {
  static readonly INTERVAL_MS = 15_000;
  /** How overdue a pending delivery must be before its job counts as lost. */
  static readonly GRACE_MS = 30_000;
  private static readonly BATCH = 500;
  /** Pages per pass: a larger backlog is left to the next pass, so one pass stays bounded. */
  private static readonly MAX_PAGES = 400;
  private readonly logger = new Logger(DeliveryReconciler.name);
  /** Passes run one after the other: two at once would hand the same backlog over twice. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly events: EventStore,
    private readonly subscribers: SubscriberCache,
    private readonly scheduler: DeliveryScheduler,
    private readonly bulkQueue: BulkQueueDelivery,
  ) {
    super();
    subscribers.onEnabled((subscriber) => void this.serially(() => this.resume([subscriber], Date.now())).catch(() => undefined));
  }

  protected get intervalMs(): number {
    return DeliveryReconciler.INTERVAL_MS;
  }

  protected scheduledPass(): Promise<number> {
    return this.pass(DeliveryReconciler.GRACE_MS);
  }

  /** One pass over every enabled subscriber; returns how many deliveries were queued again. Joins a pass already running. */
  reconcile(graceMs = DeliveryReconciler.GRACE_MS): Promise<number> {
    return this.exclusive(() => this.pass(graceMs));
  }

  private pass(graceMs: number): Promise<number> {
    return this.serially(() =>
      this.resume(
        this.subscribers.all().filter((subscriber) => subscriber.enabled),
        Date.now() - graceMs,
      ),
    );
  }

  private serially<T>(pass: () => Promise<T>): Promise<T> {
    const next = this.last.catch(() => undefined).then(pass);
    this.last = next;
    return next;
  }

  private async resume(subscribers: Subscriber[], dueBy: number): Promise<number> {
    const byId = new Map(subscribers.map((subscriber) => [subscriber.id, subscriber]));
    let total = 0;
    let after: string | undefined;
    for (let page = 0; page < DeliveryReconciler.MAX_PAGES; page++) {
      const due = await this.deliveries.findDue([...byId.keys()], new Date(dueBy), DeliveryReconciler.BATCH, after);
      if (due.length === 0) break;
      after = due[due.length - 1].id;
      total += await this.resumePage(due, byId);
      if (due.length < DeliveryReconciler.BATCH) break;
    }
    if (total > 0) this.logger.log(`queued ${total} pending deliveries again`);
    return total;
  }

  /**
   * Queue deliveries are handed over again whatever Redis says (the job id makes it a no-op if
   * the job is there); an HTTP delivery is queued only if its job is gone, since a second call
   * would reach the receiver twice.
   */
  private async resumePage(due: DeliveryEntity[], subscribers: Map<string, Subscriber>): Promise<number> {
    const [toQueues, toHttp] = partition(due, (delivery) => subscribers.get(delivery.subscriberId)!.kind === 'queue');
    const events = new Map((await this.events.findByIds([...new Set(toQueues.map((delivery) => delivery.eventId))])).map((event) => [event.id, event]));
    await this.bulkQueue.deliver(
      toQueues.filter((delivery) => events.has(delivery.eventId)).map((delivery) => ({ delivery, subscriber: subscribers.get(delivery.subscriberId)!, event: events.get(delivery.eventId)! })),
    );
    const queued = await Promise.all(toHttp.map((delivery) => this.scheduler.isQueued(delivery)));
    const lost = toHttp.filter((_, index) => !queued[index]);
    await this.scheduler.schedule(lost);
    return toQueues.length + lost.length;
  }
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
