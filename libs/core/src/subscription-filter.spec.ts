import { filterMatches, TYPE_PATTERN, typeMatches } from './subscription-filter';

describe('subscription filters', () => {
  it.each([
    ['*', 'verification.approved', true],
    ['verification.*', 'verification.approved', true],
    ['verification.*', 'verification', false],
    ['verification.*', 'verificationX.approved', false],
    ['check.completed', 'check.completed', true],
    ['check.completed', 'check.completed_x', false],
    ['complycube.*', 'complycube.brand.new', true],
  ])('%s matches %s: %s', (pattern, type, expected) => {
    expect(typeMatches(pattern, type)).toBe(expected);
  });

  it('filters by provider (empty = all) and by any of the type patterns', () => {
    const event = { provider: 'allpass', type: 'verification.approved' };
    expect(filterMatches({ providers: [], types: ['*'] }, event)).toBe(true);
    expect(filterMatches({ providers: ['complycube'], types: ['*'] }, event)).toBe(false);
    expect(filterMatches({ providers: ['allpass'], types: ['check.*', 'verification.approved'] }, event)).toBe(true);
    expect(filterMatches({ providers: [], types: [] }, event)).toBe(false);
  });

  it('accepts only well-formed patterns', () => {
    for (const ok of ['*', 'verification.*', 'check.completed', 'complycube.client.created']) expect(TYPE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'verification.', '*.approved', 'a..b', 'a b', 'verification.**']) expect(TYPE_PATTERN.test(bad)).toBe(false);
  });
});
