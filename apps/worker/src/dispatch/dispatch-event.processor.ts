import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { EVENTS_QUEUE, EventsQueueJobs, RedisMonitor } from '@kyc/queue';
import { ActiveJobs, WorkerDrain } from '../worker-drain.service';
import { DispatcherService } from './dispatcher.service';

/** Consumes the events queue. Thin by design: the job carries only the event id; the database is the truth. */
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
      // A job for an event this database does not hold (another deployment sharing the prefix?) can never succeed.
      if (!(await this.dispatcher.dispatch(job.data.eventId))) throw new UnrecoverableError(`event ${job.data.eventId} is not stored`);
    });
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
