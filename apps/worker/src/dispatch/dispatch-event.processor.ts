import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { dispatchedEventIds, EVENTS_QUEUE, EventsQueueJobs, RedisMonitor } from '@kyc/queue';
import { ActiveJobs, WorkerDrain } from '../worker-drain.service';
import { DispatcherService } from './dispatcher.service';

/** Consumes the events queue. Thin by design: a job carries only event ids; the database is the truth. */
@Processor(EVENTS_QUEUE, { concurrency: 32, lockDuration: 10_000, stalledInterval: 5_000 })
export class DispatchEventProcessor extends WorkerHost {
  private readonly logger = new Logger(DispatchEventProcessor.name);

  constructor(
    private readonly dispatcher: DispatcherService,
    private readonly monitor: RedisMonitor,
    private readonly jobs: ActiveJobs,
    @InjectQueue(EVENTS_QUEUE) queue: Queue,
    drain: WorkerDrain,
  ) {
    super();
    monitor.watch(queue);
    drain.register(() => this.worker);
  }

  process(job: Job<EventsQueueJobs['dispatch']>): Promise<void> {
    return this.jobs.run(async () => {
      await this.dispatcher.dispatch(dispatchedEventIds(job.data));
    });
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.monitor.report(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<EventsQueueJobs['dispatch']> | undefined, error: Error): void {
    this.logger.warn(`dispatch of ${job?.data ? dispatchedEventIds(job.data).length : '?'} event(s) (job ${job?.id ?? '?'}) failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`);
  }
}
