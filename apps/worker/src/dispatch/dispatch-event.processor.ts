import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { EventStore } from '@kyc/persistence';
import { EVENTS_QUEUE, EventsQueueJobs, RedisMonitor } from '@kyc/queue';

/**
 * Consumes the events queue. Thin by design: the job carries only the event id; the database is
 * the truth. Fan-out to subscribers plugs in here (next issue); for now an event is dispatched
 * once it is confirmed stored, which closes its outbox entry.
 */
@Processor(EVENTS_QUEUE, { concurrency: 32 })
export class DispatchEventProcessor extends WorkerHost {
  private readonly logger = new Logger(DispatchEventProcessor.name);

  constructor(
    private readonly events: EventStore,
    private readonly monitor: RedisMonitor,
    @InjectQueue(EVENTS_QUEUE) queue: Queue,
  ) {
    super();
    monitor.watch(queue);
  }

  async process(job: Job<EventsQueueJobs['dispatch']>): Promise<void> {
    const event = await this.events.findById(job.data.eventId);
    if (!event) throw new Error(`event ${job.data.eventId} is not stored`);
    await this.events.markDispatched([event.id]);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.monitor.report(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(`dispatch of ${job?.data?.eventId ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`);
  }
}
