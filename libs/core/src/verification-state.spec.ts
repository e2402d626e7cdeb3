import { decideStatus, type HeldStatus, subjectKey, vendorTimeOf } from './verification-state';

describe('decideStatus (the ordering guard)', () => {
  const T = Date.parse('2026-01-01T00:00:00Z');

  it('applies the first status, and any status not older than the one held (reversals included)', () => {
    expect(decideStatus({ status: null, at: null }, { status: 'created', occurredAt: T })).toEqual({ status: 'created', previousStatus: null, stale: false, applied: true });
    expect(decideStatus({ status: 'approved', at: T }, { status: 'rejected', occurredAt: T + 1 })).toEqual({ status: 'rejected', previousStatus: 'approved', stale: false, applied: true });
    expect(decideStatus({ status: 'review', at: T }, { status: 'review', occurredAt: T })).toMatchObject({ stale: false, applied: true });
  });

  it('marks an older status stale and keeps the one held', () => {
    expect(decideStatus({ status: 'approved', at: T }, { status: 'review', occurredAt: T - 1 })).toEqual({ status: 'approved', previousStatus: 'approved', stale: true, applied: false });
  });

  it('orders two statuses of the same instant by stage, whichever came first', () => {
    expect(decideStatus({ status: 'started', at: T }, { status: 'approved', occurredAt: T })).toMatchObject({ status: 'approved', applied: true });
    expect(decideStatus({ status: 'approved', at: T }, { status: 'started', occurredAt: T })).toMatchObject({ status: 'approved', stale: true });
  });

  it('never changes anything for an event without a status, and never calls it stale', () => {
    expect(decideStatus({ status: 'approved', at: T }, { status: null, occurredAt: T - 1000 })).toEqual({ status: 'approved', previousStatus: 'approved', stale: false, applied: false });
  });
});

describe('subjectKey', () => {
  it('is applicantId, else verificationId, else externalUserId; a check id alone names no subject', () => {
    expect(subjectKey({ applicantId: 'a', verificationId: 'v', externalUserId: 'u' })).toEqual({ field: 'applicantId', value: 'a' });
    expect(subjectKey({ verificationId: 'v', externalUserId: 'u' })).toEqual({ field: 'verificationId', value: 'v' });
    expect(subjectKey({ externalUserId: 'u', checkId: 'c' })).toEqual({ field: 'externalUserId', value: 'u' });
    expect(subjectKey({ checkId: 'c' })).toBeNull();
    expect(subjectKey({ applicantId: '' })).toBeNull();
  });
});

describe('decideStatus without a vendor time', () => {
  const T = Date.parse('2026-01-01T00:00:00Z');

  it('orders by stage where either side has no vendor time: a redelivered start never undoes a decision', () => {
    // Veriff's `started` event carries no time: redelivered after the decision, it is stale.
    expect(decideStatus({ status: 'approved', at: T }, { status: 'started', occurredAt: null })).toEqual({ status: 'approved', previousStatus: 'approved', stale: true, applied: false });
    expect(decideStatus({ status: 'processing', at: null }, { status: 'started', occurredAt: null })).toMatchObject({ stale: true });
    // A decision after a timeless step applies, whatever its own time says of the step's receipt.
    expect(decideStatus({ status: 'processing', at: null }, { status: 'approved', occurredAt: T - 60_000 })).toMatchObject({ status: 'approved', applied: true });
    expect(decideStatus({ status: 'approved', at: T }, { status: 'rejected', occurredAt: null })).toMatchObject({ status: 'rejected', applied: true });
    expect(decideStatus({ status: null, at: null }, { status: 'started', occurredAt: null })).toMatchObject({ status: 'started', applied: true });
  });

  it('gives the same final status for every arrival order of a session with timeless and timed events', () => {
    const events = [
      { status: 'started' as const, occurredAt: null },
      { status: 'processing' as const, occurredAt: null },
      { status: 'review' as const, occurredAt: T },
      { status: 'approved' as const, occurredAt: T + 1_000 },
    ];
    const permutations = (items: typeof events): (typeof events)[] =>
      items.length <= 1 ? [items] : items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
    for (const order of permutations(events)) {
      let held: HeldStatus = { status: null, at: null };
      for (const event of order) {
        const decision = decideStatus(held, event);
        if (decision.applied) held = { status: decision.status, at: event.occurredAt };
      }
      expect({ order: order.map((event) => event.status), final: held.status }).toEqual({ order: order.map((event) => event.status), final: 'approved' });
    }
  });
});

describe('vendorTimeOf', () => {
  it('is null when the ingress took the receipt time, the vendor time otherwise', () => {
    expect(vendorTimeOf({ occurredAt: '2026-01-01T00:00:00.000Z', receivedAt: '2026-01-01T00:00:00.000Z' })).toBeNull();
    expect(vendorTimeOf({ occurredAt: '2026-01-01T00:00:00.000Z', receivedAt: '2026-01-01T00:00:01.000Z' })).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
  });
});
