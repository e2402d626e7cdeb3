import { randomBytes } from 'node:crypto';
import { canonicalJson, constantTimeEqual, payloadDigest, SecretBox } from './crypto';

describe('constantTimeEqual', () => {
  it('compares equal and unequal values, and never throws on different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });
});

describe('canonicalJson / payloadDigest', () => {
  it('ignores key order at every level but not values or array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(payloadDigest({ a: 1, b: { c: 2 } })).toBe(payloadDigest({ b: { c: 2 }, a: 1 }));
    expect(payloadDigest({ a: 1 })).not.toBe(payloadDigest({ a: 2 }));
    expect(payloadDigest([1, 2])).not.toBe(payloadDigest([2, 1]));
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never shows the plaintext', () => {
    const sealed = box.sealJson({ applicantId: 'applicant-42' });
    expect(sealed).not.toContain('applicant-42');
    expect(box.openJson(sealed)).toEqual({ applicantId: 'applicant-42' });
    expect(box.sealJson('x')).not.toBe(box.sealJson('x'));
  });

  it('refuses tampered values and other keys', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64');
    flipped[0] ^= 1;
    expect(() => box.open([parts[0], parts[1], parts[2], flipped.toString('base64')].join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open('garbage')).toThrow('Not a sealed value');
  });

  it('gives stable blind indexes and fingerprints that depend on the key', () => {
    expect(box.blindIndex('a')).toBe(box.blindIndex('a'));
    expect(box.blindIndex('a')).not.toBe(new SecretBox(randomBytes(32)).blindIndex('a'));
    expect(box.fingerprint('whsec_x')).toMatch(/^[0-9a-f]{12}$/);
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow();
  });
});
