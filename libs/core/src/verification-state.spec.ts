import { decideStatus, subjectKey } from './verification-state';

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
