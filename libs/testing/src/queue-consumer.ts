import { Job, Worker } from 'bullmq';
import type { VerificationEvent } from '@kyc/core';
import { createRedisClient, type RedisLocation } from '@kyc/queue';
import { recordDeliveredEvent } from './delivered-events';

/** A plain BullMQ Worker on a subscriber's queue, as a downstream service runs it: the jobs it took, in order. */
export function consumeQueue(queue: string, env: RedisLocation & { QUEUE_PREFIX: string }): { jobs: Job<VerificationEvent>[]; close: () => Promise<void> } {
  const jobs: Job<VerificationEvent>[] = [];
  // On a single node or a cluster alike; a connection passed to BullMQ is ours to close.
  const connection = createRedisClient(env, 'worker');
  const worker = new Worker<VerificationEvent>(
    queue,
    (job) => {
      recordDeliveredEvent('queue', job.data);
      return Promise.resolve(void jobs.push(job));
    },
    { connection, prefix: env.QUEUE_PREFIX },
  );
  return {
    jobs,
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}
