import { readDeliveryJob, readDispatchJob } from './queue-names';

const EVENT_ID = '0192f0c4-8a1e-7c3b-9d2e-5f6a7b8c9d0e';

describe('readDispatchJob', () => {
  it('reads both forms of a dispatch job', () => {
    expect(readDispatchJob({ eventIds: [EVENT_ID, EVENT_ID] })).toEqual([EVENT_ID, EVENT_ID]);
    expect(readDispatchJob({ eventId: EVENT_ID })).toEqual([EVENT_ID]);
  });

  it.each([
    ['no data', undefined],
    ['a string', 'x'],
    ['an array', [EVENT_ID]],
    ['no id', {}],
    ['an empty batch', { eventIds: [] }],
    ['ids that are not a list', { eventIds: EVENT_ID }],
    ['an empty id', { eventIds: [EVENT_ID, ''] }],
    ['a number as id', { eventId: 42 }],
    ['an id longer than a row id', { eventId: `${EVENT_ID}-x` }],
  ])('refuses %s', (_, data) => {
    expect(readDispatchJob(data)).toBeUndefined();
  });
});

describe('readDeliveryJob', () => {
  const job = { deliveryId: EVENT_ID, replays: 0, attempts: 3 };

  it('reads the attempt, and only its fields', () => {
    expect(readDeliveryJob({ ...job, extra: true })).toEqual(job);
  });

  it.each([
    ['no data', null],
    ['no delivery id', { replays: 0, attempts: 0 }],
    ['a negative attempt count', { ...job, attempts: -1 }],
    ['a fractional replay count', { ...job, replays: 0.5 }],
    ['counts as strings', { ...job, attempts: '3' }],
    ['a missing replay count', { deliveryId: EVENT_ID, attempts: 0 }],
  ])('refuses %s', (_, data) => {
    expect(readDeliveryJob(data)).toBeUndefined();
  });
});
