import { RefusalCounter } from './refusal-counter';

const MINUTE = 60_000;
const start = 1_000 * MINUTE;

describe('RefusalCounter', () => {
  const counter = (limitPerMinute = 5, overrides = {}) => new RefusalCounter({ limitPerMinute, logPerSource: 2, logPerMinute: 3, maxSources: 2, ...overrides });

  it('throttles a source refused more than the limit until the minute ends, and no other source', () => {
    const refusals = counter();
    for (let i = 0; i < 5; i++) refusals.count('a', start + i);
    expect(refusals.isThrottled('a', start + 10)).toBe(false);
    expect(refusals.count('a', start + 11).throttledNow).toBe(true);
    expect(refusals.isThrottled('a', start + 12)).toBe(true);
    expect(refusals.isThrottled('b', start + 12)).toBe(false);
    expect(refusals.count('a', start + 13).throttledNow).toBe(false);
    expect(refusals.isThrottled('a', start + MINUTE - 1)).toBe(true);
    expect(refusals.isThrottled('a', start + MINUTE)).toBe(false);
  });

  it('logs the first refusals of each source and of the minute, and sums up the rest when the minute ends', () => {
    const refusals = counter();
    const logged = ['a', 'a', 'a', 'b', 'b'].map((source, i) => refusals.count(source, start + i).log);
    // Two per source, three in all.
    expect(logged).toEqual([true, true, false, true, false]);
    for (let i = 0; i < 3; i++) refusals.count('a', start + 10 + i);
    const next = refusals.count('a', start + MINUTE);
    expect(next.log).toBe(true);
    expect(next.summary).toEqual({ minute: new Date(start), refused: 8, unlogged: 5, throttled: [{ source: 'a', refused: 6 }] });
    expect(refusals.rollOver(start + 2 * MINUTE)).toBeUndefined();
  });

  it('counts at most maxSources sources: others are neither throttled nor logged alone', () => {
    const refusals = counter(1);
    refusals.count('a', start);
    refusals.count('b', start);
    for (let i = 0; i < 5; i++) expect(refusals.count('c', start + i).log).toBe(false);
    expect(refusals.isThrottled('c', start + 10)).toBe(false);
  });
});
