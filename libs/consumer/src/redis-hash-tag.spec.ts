import { redisHashTag } from './redis-hash-tag';

describe('redisHashTag', () => {
  it('reads the first non-empty {...} as Redis Cluster does', () => {
    expect(redisHashTag('{kyc}')).toBe('kyc');
    expect(redisHashTag('prod-{kyc}')).toBe('kyc');
    expect(redisHashTag('{kyc}:events:wait')).toBe('kyc');
    expect(redisHashTag('{a}{b}')).toBe('a');
  });

  it('finds none where Redis would hash the whole key', () => {
    expect(redisHashTag('kyc')).toBeUndefined();
    expect(redisHashTag('{}kyc')).toBeUndefined();
    // The first `{` opens the tag; an empty one means no tag, even if another follows.
    expect(redisHashTag('{}{kyc}')).toBeUndefined();
    expect(redisHashTag('kyc}{')).toBeUndefined();
    expect(redisHashTag('{kyc')).toBeUndefined();
  });
});
