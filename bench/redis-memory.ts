/**
 * Redis memory per job, for sizing (docs/production.md quotes it): a throw-away redis-server,
 * BullMQ jobs as the gateway makes them, `used_memory` before and after.
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/redis-memory.ts [jobs]
 */
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { DISPATCH_JOB_OPTIONS, SUBSCRIBER_JOB_OPTIONS } from '@kyc/queue';
import { aVerificationEvent, freePort, RedisServer } from '@kyc/testing';

const JOBS = Number(process.argv[2] ?? 20_000);
const BATCH = 500;
const PREFIX = '{kyc}';

async function main(): Promise<void> {
  const server = new RedisServer(await freePort());
  await server.start();
  const redis = new IORedis(server.url, { maxRetriesPerRequest: null });
  try {
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const perJob = async (label: string, fill: () => Promise<unknown>, since?: number) => {
      const before = await usedMemory();
      await fill();
      console.log(`${label}: ${Math.round(((await usedMemory()) - (since ?? before)) / JOBS)} bytes per job`);
    };

    // A subscriber's job: the whole VerificationEvent (a verification block, a few details), waiting for its consumer.
    const event = aVerificationEvent('check-1', {
      status: 'approved',
      subject: { applicantId: '5f1b7c2e9d3a4b0012c4e8a1', externalUserId: 'user-8812' },
      details: { outcome: 'clear', checkType: 'document_check', documentType: 'passport' },
      verification: { id: '0193a6f1-7c2e-7d3a-9b00-12c4e8a15f1b', sequence: 3, status: 'approved', previousStatus: 'review', stale: false },
    });
    console.log(`VerificationEvent: ${JSON.stringify(event).length} bytes of JSON; ${JOBS} jobs per figure`);
    const empty = await usedMemory();
    const subscriberQueue = new Queue('billing', { connection: redis, prefix: PREFIX });
    await perJob('subscriber queue, waiting', () =>
      addInBatches((from) => subscriberQueue.addBulk(jobs(from, (id) => ({ name: event.type, data: { ...event, id }, opts: { ...SUBSCRIBER_JOB_OPTIONS, jobId: id } })))),
    );
    // Consumed: the gateway's job options keep completed jobs 7 days (at most 100,000 per queue) for deduplication.
    await perJob(
      'subscriber queue, completed and kept',
      async () => {
        let done = 0;
        const connection = redis.duplicate();
        const consumer = new Worker('billing', () => Promise.resolve(void done++), { connection, prefix: PREFIX, concurrency: 100 });
        while (done < JOBS) await new Promise((resolve) => setTimeout(resolve, 100));
        await consumer.close();
        connection.disconnect();
      },
      empty,
    );
    await subscriberQueue.obliterate({ force: true });
    // The internal queues hold ids only and drop jobs once done.
    const events = new Queue('events', { connection: redis, prefix: PREFIX });
    await perJob('events queue (one dispatch job per event), waiting', () =>
      addInBatches((from) => events.addBulk(jobs(from, (id) => ({ name: 'dispatch', data: { eventIds: [id] }, opts: { ...DISPATCH_JOB_OPTIONS, jobId: id } })))),
    );
    const deliveries = new Queue('deliveries', { connection: redis, prefix: PREFIX });
    await perJob('deliveries queue (an HTTP delivery attempt), waiting', () =>
      addInBatches((from) =>
        deliveries.addBulk(jobs(from, (id) => ({ name: 'deliver', data: { deliveryId: id, replays: 0, attempts: 0 }, opts: { jobId: `${id}:0:0`, removeOnComplete: true, removeOnFail: 1_000 } }))),
      ),
    );
    await Promise.all([subscriberQueue, events, deliveries].map((queue) => queue.close()));
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

function jobs<T>(from: number, make: (id: string) => T): T[] {
  return Array.from({ length: Math.min(BATCH, JOBS - from) }, (_, index) => make(`0193a6f1-7c2e-7d3a-9b00-${String(from + index).padStart(12, '0')}`));
}

async function addInBatches(add: (from: number) => Promise<unknown>): Promise<void> {
  for (let from = 0; from < JOBS; from += BATCH) await add(from);
}

void main();
