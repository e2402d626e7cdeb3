import { InjectQueue, Processor } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { EVENTS_QUEUE, readDispatchJob, RedisMonitor } from '@kyc/queue';
import { PROCESSOR_LOCK_OPTIONS, QueueProcessor } from '../queue-processor';
import { ActiveJobs, WorkerDrain } from '../worker-drain';
import { DispatcherService } from './dispatcher.service';

/** Consumes the events queue. Thin by design: a job carries only event ids; the database is the truth. */
@Processor(EVENTS_QUEUE, { concurrency: 32, ...PROCESSOR_LOCK_OPTIONS })
export class DispatchEventProcessor extends QueueProcessor<string[]> {
  constructor(
    private readonly dispatcher: DispatcherService,
    monitor: RedisMonitor,
    jobs: ActiveJobs,
    @InjectQueue(EVENTS_QUEUE) queue: Queue,
    drain: WorkerDrain,
  ) {
    super({ monitor, jobs, queue, drain });
  }

  protected read(data: unknown): string[] | undefined {
    return readDispatchJob(data);
  }

  protected handle(eventIds: string[]): Promise<void> {
    return this.dispatcher.dispatch(eventIds);
  }

  protected describeFailure(job: Job | undefined, eventIds: string[] | undefined, error: Error): string {
    return `dispatch of ${eventIds?.length ?? '?'} event(s) (job ${job?.id ?? '?'}) failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`;
  }
}
