import type { VerificationEvent } from '@kyc/core';
import type { DeliveryEntity, Subscriber } from '@kyc/persistence';
import { eventsPerPass, matchingSubscribers, stillDue, toHandOverAtOnce } from './dispatch-plan';

const T0 = '2025-01-01T12:00:00.000Z';
const T1 = '2025-01-01T12:00:01.000Z';

const event = (id: string, fields: Partial<VerificationEvent> = {}) =>
  ({ id, provider: 'complycube', connection: 'default', type: 'verification.completed', receivedAt: T1, verification: null, ...fields }) as VerificationEvent;
const subscriber = (id: string, fields: Partial<Subscriber> = {}) =>
  ({ id, name: id, kind: 'http', enabled: true, createdAt: T0, filter: { providers: [], types: ['*'], includeStale: false }, ...fields }) as Subscriber;
const delivery = (id: string, subscriberId: string, fields: Partial<DeliveryEntity> = {}) => ({ id, eventId: 'e1', subscriberId, status: 'pending', ...fields }) as DeliveryEntity;

describe('matchingSubscribers', () => {
  it('takes subscribers created at or before the event was received, whose filter matches it', () => {
    const [before, atOnce, after] = [subscriber('before'), subscriber('at-once', { createdAt: T1 }), subscriber('after', { createdAt: '2025-01-01T12:00:02.000Z' })];
    const otherProvider = subscriber('verifik-only', { filter: { providers: ['verifik'], types: ['*'] } });
    expect(matchingSubscribers([before, atOnce, after, otherProvider], event('e1')).map(({ id }) => id)).toEqual(['before', 'at-once']);
  });

  it('leaves stale events to the subscribers that asked for them', () => {
    const wantsStale = subscriber('wants-stale', { filter: { providers: [], types: ['*'], includeStale: true } });
    expect(matchingSubscribers([subscriber('plain'), wantsStale], event('e1', { verification: { stale: true } as VerificationEvent['verification'] })).map(({ id }) => id)).toEqual(['wants-stale']);
  });
});

describe('toHandOverAtOnce', () => {
  it('hands over the deliveries to enabled queue subscribers only', () => {
    const due = (sub: Subscriber) => ({ delivery: delivery(`d-${sub.id}`, sub.id), subscriber: sub, event: event('e1') });
    const planned = [due(subscriber('queue', { kind: 'queue' })), due(subscriber('http')), due(subscriber('paused-queue', { kind: 'queue', enabled: false }))];
    expect(toHandOverAtOnce(planned).map(({ subscriber }) => subscriber.id)).toEqual(['queue']);
  });
});

describe('stillDue', () => {
  const queue = subscriber('queue', { kind: 'queue' });
  const http = subscriber('http');
  const disabled = subscriber('disabled', { enabled: false });
  const events = [event('e1')];

  it('schedules a job for each pending delivery just stored, queue hand-overs Redis refused included', () => {
    const stored = [delivery('d1', 'queue'), delivery('d2', 'http')];
    expect(stillDue({ stored, existing: [] }, [queue, http], events)).toEqual({ bulk: [], jobs: stored });
  });

  it('sends the queue deliveries a previous run had stored through the bulk path, and schedules the HTTP ones', () => {
    const [earlierQueue, earlierHttp] = [delivery('d1', 'queue'), delivery('d2', 'http')];
    const { bulk, jobs } = stillDue({ stored: [], existing: [earlierQueue, earlierHttp] }, [queue, http], events);
    expect(bulk).toEqual([{ delivery: earlierQueue, subscriber: queue, event: events[0] }]);
    expect(jobs).toEqual([earlierHttp]);
  });

  it('leaves deliveries that are done, or whose subscriber is disabled or gone', () => {
    const recorded = {
      stored: [delivery('handed-over', 'queue', { status: 'succeeded' }), delivery('waits', 'disabled'), delivery('orphan', 'deleted')],
      existing: [delivery('dead', 'http', { status: 'failed' })],
    };
    expect(stillDue(recorded, [queue, http, disabled], events)).toEqual({ bulk: [], jobs: [] });
  });
});

describe('eventsPerPass', () => {
  it('plans at most 2,000 deliveries and 500 events a pass, and at least one event', () => {
    expect(eventsPerPass(0)).toBe(500);
    expect(eventsPerPass(1)).toBe(500);
    expect(eventsPerPass(5)).toBe(400);
    expect(eventsPerPass(20)).toBe(100);
    expect(eventsPerPass(5_000)).toBe(1);
  });
});
