import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { RedisMonitor } from '@kyc/queue';
import type { DeliveryService } from './delivery/delivery.service';
import { DeliveryProcessor } from './delivery/delivery.processor';
import type { DispatcherService } from './dispatch/dispatcher.service';
import { DispatchEventProcessor } from './dispatch/dispatch-event.processor';
import { ActiveJobs, type WorkerDrain } from './worker-drain';

const ID = '0192f0c4-8a1e-7c3b-9d2e-5f6a7b8c9d0e';
const monitor = { watch: jest.fn(), report: jest.fn() } as unknown as RedisMonitor;
const drain = { register: jest.fn() } as unknown as WorkerDrain;
const queue = {} as Queue;
const jobWith = (data: unknown) => ({ id: '1', data, attemptsMade: 0 }) as Job;

describe('the worker processors', () => {
  let jobs: ActiveJobs;
  beforeEach(() => (jobs = new ActiveJobs()));

  it('hand a delivery job to the delivery service, as an active job', async () => {
    let release!: () => void;
    const attempt = jest.fn(() => new Promise<void>((resolve) => (release = resolve)));
    const processor = new DeliveryProcessor({ attempt } as unknown as DeliveryService, monitor, jobs, queue, drain);
    const processed = processor.process(jobWith({ deliveryId: ID, replays: 1, attempts: 2 }));
    let idle = false;
    void jobs.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    release();
    await processed;
    expect(attempt).toHaveBeenCalledWith({ deliveryId: ID, replays: 1, attempts: 2 });
  });

  it('hand the event ids of either form of dispatch job to the dispatcher', async () => {
    const dispatch = jest.fn(() => Promise.resolve());
    const processor = new DispatchEventProcessor({ dispatch } as unknown as DispatcherService, monitor, jobs, queue, drain);
    await processor.process(jobWith({ eventIds: [ID] }));
    await processor.process(jobWith({ eventId: ID }));
    expect(dispatch.mock.calls).toEqual([[[ID]], [[ID]]]);
  });

  const malformed: Array<[string, unknown]> = [
    ...[null, {}, { deliveryId: ID, replays: 0 }, { deliveryId: '', replays: 0, attempts: 0 }, { eventIds: [ID] }].map((data): [string, unknown] => ['delivery', data]),
    ...[null, 'text', {}, { eventIds: [] }, { eventIds: [ID, 7] }, { deliveryId: ID, replays: 0, attempts: 0 }].map((data): [string, unknown] => ['dispatch', data]),
  ];
  it.each(malformed)('fail a %s job with data %j at once, without retries, never calling the service', async (kind, data) => {
    const service = jest.fn();
    const processor =
      kind === 'delivery'
        ? new DeliveryProcessor({ attempt: service } as unknown as DeliveryService, monitor, jobs, queue, drain)
        : new DispatchEventProcessor({ dispatch: service } as unknown as DispatcherService, monitor, jobs, queue, drain);
    await expect(processor.process(jobWith(data))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(service).not.toHaveBeenCalled();
  });

  it('log a failed job with what its data says, or ? when it is malformed', () => {
    const processor = new DispatchEventProcessor({} as DispatcherService, monitor, jobs, queue, drain);
    const warn = jest.spyOn(processor['logger'], 'warn').mockImplementation(() => undefined);
    processor.onFailed({ id: 'j', data: { eventIds: [ID, ID] }, attemptsMade: 3 } as Job, new Error('database down'));
    processor.onFailed({ id: 'k', data: 'text', attemptsMade: 1 } as Job, new Error('malformed'));
    expect(warn.mock.calls).toEqual([['dispatch of 2 event(s) (job j) failed (attempt 3): database down'], ['dispatch of ? event(s) (job k) failed (attempt 1): malformed']]);
  });
});
