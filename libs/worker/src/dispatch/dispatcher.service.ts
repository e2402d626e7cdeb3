import { Injectable } from '@nestjs/common';
import { MicroBatcher, type VerificationEvent } from '@kyc/core';
import { MetricsService } from '@kyc/observability';
import { DeliveryStore, EventStore, VerificationLedger } from '@kyc/persistence';
import { DeliveryScheduler } from '@kyc/queue';
import { BulkQueueDelivery, DueDelivery } from '../delivery/bulk-queue-delivery';
import { SubscriberCache } from '../subscribers/subscriber.cache';
import { eventsPerPass, matchingSubscribers, stillDue, toHandOverAtOnce } from './dispatch-plan';

/**
 * Turns stored events into one delivery per matching subscriber, a batch at a time. Idempotent
 * end to end: run it twice (crash, BullMQ retry, relay) and the unique (event, subscriber) index,
 * the job ids and `dispatchedAt` make the second run a no-op. Queue subscribers are served at
 * once, in bulk; HTTP subscribers get one job per delivery (each call has its own fate).
 */
@Injectable()
export class DispatcherService {
  /** Events of concurrent dispatch jobs go together: one set of statements and hand-overs for all. */
  private readonly batches = new MicroBatcher<{ eventIds: string[]; pickedUpAt: number }, void>(
    async (jobs) => {
      const eventIds = jobs.flatMap((job) => job.eventIds);
      const since = Math.min(...jobs.map((job) => job.pickedUpAt));
      const perPass = eventsPerPass(this.subscribers.all().length);
      for (let start = 0; start < eventIds.length; start += perPass) await this.dispatchNow(eventIds.slice(start, start + perPass), since);
      return jobs.map(() => undefined);
    },
    { maxBatchSize: 64, maxInFlight: 4 },
  );

  constructor(
    private readonly events: EventStore,
    private readonly deliveries: DeliveryStore,
    private readonly subscribers: SubscriberCache,
    private readonly scheduler: DeliveryScheduler,
    private readonly bulkQueue: BulkQueueDelivery,
    private readonly ledger: VerificationLedger,
    private readonly metrics: MetricsService,
  ) {}

  /** Resolves once every one of `eventIds` is dispatched (an id not stored, or already dispatched, is skipped). */
  dispatch(eventIds: string[]): Promise<void> {
    return this.batches.submit({ eventIds, pickedUpAt: Date.now() });
  }

  /**
   * Returns how many events were dispatched. Matches the subscribers that existed when each event
   * was received, as the contract promises: every event was received before its job was picked
   * up (`since`), so subscribers loaded after that instant include them all.
   */
  private async dispatchNow(eventIds: string[], since: number): Promise<number> {
    const [undispatched, subscribers] = await Promise.all([this.events.findUndispatchedByIds(eventIds), this.subscribers.allAsOf(since)]);
    if (undispatched.length === 0) return 0;
    const events = await this.withVerifications(undispatched);
    const now = new Date();
    const planned: DueDelivery[] = events.flatMap((event) =>
      matchingSubscribers(subscribers, event).map((subscriber) => ({ delivery: this.deliveries.newDelivery(event.id, subscriber.id, now), subscriber, event })),
    );
    // Queue subscribers first: the hand-over is what their consumers wait for. Should the worker
    // die before the records commit, the event is still undispatched and is dispatched again
    // (the job id makes the second hand-over a no-op).
    const handedOver = await this.bulkQueue.handOver(toHandOverAtOnce(planned));
    const recorded = await this.deliveries.recordDispatch(
      planned.map(({ delivery }) => delivery),
      handedOver,
      events.map((event) => event.id),
    );
    const { bulk, jobs } = stillDue(recorded, subscribers, events);
    await Promise.all([this.bulkQueue.deliver(bulk), this.scheduler.schedule(jobs)]);
    return events.length;
  }

  /**
   * Takes the events into their subjects' verifications (the ordering guard) before anything is
   * delivered, so every delivery carries the event's `verification` block and the stale filter
   * can apply. Events applied before (a retried pass) keep the block they got then.
   */
  private async withVerifications(events: VerificationEvent[]): Promise<VerificationEvent[]> {
    const unapplied = events.filter((event) => event.verification === null);
    if (unapplied.length === 0) return events;
    const applied = await this.ledger.apply(unapplied);
    for (const event of unapplied) {
      const result = applied.get(event.id);
      if (result?.applied && result.verification?.stale) this.metrics.staleEvent(event.provider);
    }
    return events.map((event) => ({ ...event, verification: applied.get(event.id)?.verification ?? event.verification }));
  }
}
