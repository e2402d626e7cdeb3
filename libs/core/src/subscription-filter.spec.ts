import { CONNECTION_FILTER_PATTERN, filterMatches, TYPE_PATTERN, typeMatches } from './subscription-filter';

describe('subscription filters', () => {
  it.each([
    ['*', 'verification.approved', true],
    ['verification.*', 'verification.approved', true],
    ['verification.*', 'verification', false],
    ['verification.*', 'verificationX.approved', false],
    ['check.completed', 'check.completed', true],
    ['check.completed', 'check.completed_x', false],
    ['complycube.*', 'complycube.brand.new', true],
    // Operational events only for those who ask for them.
    ['*', 'ops.connection.refusing', false],
    ['ops.*', 'ops.connection.refusing', true],
    ['ops.subscriber.*', 'ops.subscriber.paused', true],
    ['ops.subscriber.*', 'ops.connection.silent', false],
    ['ops.verification.stuck', 'ops.verification.stuck', true],
    ['verification.*', 'ops.verification.stuck', false],
  ])('%s matches %s: %s', (pattern, type, expected) => {
    expect(typeMatches(pattern, type)).toBe(expected);
  });

  it('filters by provider (empty = all) and by any of the type patterns', () => {
    const event = { provider: 'allpass', connection: 'default', type: 'verification.approved' };
    expect(filterMatches({ providers: [], types: ['*'] }, event)).toBe(true);
    expect(filterMatches({ providers: ['complycube'], types: ['*'] }, event)).toBe(false);
    expect(filterMatches({ providers: ['allpass'], types: ['check.*', 'verification.approved'] }, event)).toBe(true);
    expect(filterMatches({ providers: [], types: [] }, event)).toBe(false);
  });

  it('filters by connection: a name at any provider or provider/name exactly (empty or absent = all)', () => {
    const production = { provider: 'complycube', connection: 'default', type: 'check.completed' };
    const sandbox = { provider: 'complycube', connection: 'sandbox', type: 'check.completed' };
    const otherVendor = { provider: 'verifik', connection: 'default', type: 'check.completed' };
    const only = (connections: string[]) => ({ providers: [], connections, types: ['*'] });
    expect([production, sandbox, otherVendor].map((event) => filterMatches(only(['complycube/default']), event))).toEqual([true, false, false]);
    expect([production, sandbox, otherVendor].map((event) => filterMatches(only(['default']), event))).toEqual([true, false, true]);
    expect([production, sandbox, otherVendor].map((event) => filterMatches(only(['sandbox', 'verifik/default']), event))).toEqual([false, true, true]);
    expect([production, sandbox, otherVendor].map((event) => filterMatches(only([]), event))).toEqual([true, true, true]);
    expect(filterMatches({ providers: [], types: ['*'] }, sandbox)).toBe(true);
    // Each part is compared whole: no prefix, no case folding, no slash games.
    for (const entry of ['complycube/defaul', 'complycube/default/', 'ComplyCube/default', 'complycube', 'cube/default', '/default']) {
      expect({ entry, matches: filterMatches(only([entry]), production) }).toEqual({ entry, matches: false });
    }
    // With providers and types too: all of them must match.
    expect(filterMatches({ providers: ['verifik'], connections: ['complycube/default'], types: ['*'] }, production)).toBe(false);
    expect(filterMatches({ providers: [], connections: ['complycube/default'], types: ['verification.*'] }, production)).toBe(false);
  });

  it('accepts only well-formed connection entries', () => {
    for (const ok of ['default', 'eu-app', 'complycube/default', 'allpass/eu.app_2']) expect(CONNECTION_FILTER_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', '/default', 'complycube/', 'a/b/c', 'complycube/..', '.', 'x y', 'Complycube/default']) expect({ bad, ok: CONNECTION_FILTER_PATTERN.test(bad) }).toEqual({ bad, ok: false });
  });

  it('accepts only well-formed patterns', () => {
    for (const ok of ['*', 'verification.*', 'check.completed', 'complycube.client.created']) expect(TYPE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'verification.', '*.approved', 'a..b', 'a b', 'verification.**']) expect(TYPE_PATTERN.test(bad)).toBe(false);
  });
});
