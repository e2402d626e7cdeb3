import { Job, Worker } from 'bullmq';
import type { VerificationEvent } from '@kyc/core';
import { redisOptions } from '@kyc/queue';
import { recordDeliveredEvent } from './delivered-events';

/** A plain BullMQ Worker on a subscriber's queue, as a downstream service runs it: the jobs it took, in order. */
export function consumeQueue(queue: string, env: { REDIS_URL: string; QUEUE_PREFIX: string }): { jobs: Job<VerificationEvent>[]; close: () => Promise<void> } {
  const jobs: Job<VerificationEvent>[] = [];
  const worker = new Worker<VerificationEvent>(
    queue,
    (job) => {
      recordDeliveredEvent('queue', job.data);
      return Promise.resolve(void jobs.push(job));
    },
    { connection: redisOptions(env.REDIS_URL, 'worker'), prefix: env.QUEUE_PREFIX },
  );
  return { jobs, close: () => worker.close() };
}
