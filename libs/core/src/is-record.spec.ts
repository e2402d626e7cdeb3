import { isRecord } from './is-record';

describe('isRecord', () => {
  it('accepts objects only', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord({})).toBe(true);
    for (const value of [null, undefined, [], [1], 'text', 1, true]) expect(isRecord(value)).toBe(false);
  });
});
