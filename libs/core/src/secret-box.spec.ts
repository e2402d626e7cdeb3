import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, constantTimeEqual, deriveSubkey, SecretBox, type SealContext } from './secret-box';
import { eventIdDigest } from './keyed-digest';

const payloadDigest = eventIdDigest(randomBytes(32));

describe('constantTimeEqual', () => {
  it('compares equal and unequal values, and never throws on different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });
});

describe('canonicalJson / eventIdDigest', () => {
  it('ignores key order at every level but not values or array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(payloadDigest({ a: 1, b: { c: 2 } })).toBe(payloadDigest({ b: { c: 2 }, a: 1 }));
    expect(payloadDigest({ a: 1 })).not.toBe(payloadDigest({ a: 2 }));
    expect(payloadDigest([1, 2])).not.toBe(payloadDigest([2, 1]));
  });

  it('keeps a `__proto__` key (an own property after JSON.parse) as a plain key', () => {
    const withProto = JSON.parse('{"__proto__":{"applicantId":"a-1"},"type":"x"}') as unknown;
    const otherProto = JSON.parse('{"__proto__":{"applicantId":"a-2"},"type":"x"}') as unknown;
    const without = JSON.parse('{"type":"x"}') as unknown;
    expect(canonicalJson(withProto)).toBe('{"__proto__":{"applicantId":"a-1"},"type":"x"}');
    expect(payloadDigest(withProto)).not.toBe(payloadDigest(without));
    expect(payloadDigest(withProto)).not.toBe(payloadDigest(otherProto));
    expect(canonicalJson(JSON.parse('{"__proto__":1}'))).toBe('{"__proto__":1}');
  });
});

/** A value as the previous format (v1) sealed it: the master key itself, no additional data. */
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
}

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const here: SealContext = { table: 'subscribers', column: 'secret_sealed', rowId: 'row-1' };

  it('round-trips and never shows the plaintext', () => {
    const sealed = box.sealJson({ applicantId: 'applicant-42' }, here);
    expect(sealed).not.toContain('applicant-42');
    expect(sealed.startsWith(`v2.${box.keyId}.`)).toBe(true);
    expect(box.openJson(sealed, here)).toEqual({ applicantId: 'applicant-42' });
    expect(box.sealJson('x', here)).not.toBe(box.sealJson('x', here));
    expect(box.open(box.seal('', here), here).toString()).toBe('');
    expect(box.isSealed(sealed)).toBe(true);
    expect(box.isSealed(sealV1(key, 'x'))).toBe(true);
    for (const plain of ['v1.2.3.4', 'Bearer v2.a.b.c.d', 'v2.x.y.z.w', 'token']) expect(box.isSealed(plain)).toBe(false);
  });

  it('refuses tampered values, other keys and garbage with an Error', () => {
    const sealed = box.seal('secret', here);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 4), flipped.toString('base64url')].join('.'), here)).toThrow(Error);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, here)).toThrow(/unknown key/);
    for (const garbage of ['garbage', '', 'v2....', 'v2.a.b.c.d', 'v1...', 'v1.%%%.%%%.%%%', `v2.${box.keyId}.x.y.z`]) {
      expect(() => box.open(garbage, here)).toThrow('Not a sealed value');
    }
  });

  it('refuses a value moved to another row, column or table', () => {
    const sealed = box.seal('whsec_subscriber_a', here);
    expect(() => box.open(sealed, { ...here, rowId: 'row-2' })).toThrow(/moved/);
    expect(() => box.open(sealed, { ...here, column: 'other_column' })).toThrow(/moved/);
    expect(() => box.open(sealed, { ...here, table: 'connections' })).toThrow(/moved/);
    expect(box.open(sealed, here).toString()).toBe('whsec_subscriber_a');
  });

  it('refuses a 4-byte (or any short) authentication tag', () => {
    // GCM checks only as many tag bytes as given: a 4-byte tag is forgeable in about 2^32 tries.
    const legacy = sealV1(key, 'secret');
    const [version, iv, tag, ciphertext] = legacy.split('.');
    const shortTag = Buffer.from(tag, 'base64').subarray(0, 4).toString('base64');
    expect(() => box.open([version, iv, shortTag, ciphertext].join('.'), here)).toThrow(Error);
    const sealed = box.seal('secret', here).split('.');
    sealed[3] = Buffer.from(sealed[3], 'base64url').subarray(0, 12).toString('base64url');
    expect(() => box.open(sealed.join('.'), here)).toThrow(Error);
  });

  it('refuses an IV of another length than 12 bytes', () => {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update('secret'), cipher.final()]);
    const longIv = ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
    expect(() => box.open(longIv, here)).toThrow(Error);
  });

  it('still opens values sealed by the previous format (v1), and flags them for re-sealing', () => {
    const legacy = sealV1(key, 'old secret');
    expect(box.open(legacy, here).toString()).toBe('old secret');
    expect(box.needsReseal(legacy)).toBe(true);
    expect(box.needsReseal(box.seal('new', here))).toBe(false);
  });

  it('opens values of a previous key by their key id, seals with the current one', () => {
    const oldKey = randomBytes(32);
    const oldBox = new SecretBox(oldKey);
    const sealedOld = oldBox.seal('before rotation', here);
    const legacyOld = sealV1(oldKey, 'v1 before rotation');
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.keyId).not.toBe(oldBox.keyId);
    expect(rotated.open(sealedOld, here).toString()).toBe('before rotation');
    expect(rotated.open(legacyOld, here).toString()).toBe('v1 before rotation');
    expect(rotated.needsReseal(sealedOld)).toBe(true);
    const resealed = rotated.seal('before rotation', here);
    expect(resealed.split('.')[1]).toBe(rotated.keyId);
    expect(() => oldBox.open(resealed, here)).toThrow(/unknown key/);
    expect(SecretBox.keyIdOf(oldKey)).toBe(oldBox.keyId);
  });

  it('derives independent keys per purpose: the seal key cannot compute a blind index', () => {
    const sealKey = deriveSubkey(key, 'seal');
    const blindKey = deriveSubkey(key, 'blind-index');
    expect(sealKey.equals(blindKey)).toBe(false);
    expect(sealKey.equals(key)).toBe(false);
    expect(box.blindIndex('applicant-1')).toBe(createHmac('sha256', blindKey).update('applicant-1').digest('base64url'));
    expect(box.blindIndex('applicant-1')).not.toBe(createHmac('sha256', sealKey).update('applicant-1').digest('base64url'));
    expect(box.blindIndex('applicant-1')).not.toBe(createHmac('sha256', key).update('blind-index:').update('applicant-1').digest('base64url'));
    expect(box.deriveKey('event-id')).toEqual(deriveSubkey(key, 'event-id'));
    expect(box.deriveKey('event-id').equals(sealKey)).toBe(false);
    // The key id is public: it must not be a piece of any derived key.
    expect(sealKey.toString('base64url').startsWith(box.keyId)).toBe(false);
  });

  it('gives stable blind indexes and fingerprints that depend on the key; searches also match older indexes', () => {
    expect(box.blindIndex('a')).toBe(box.blindIndex('a'));
    expect(box.blindIndex('a')).not.toBe(new SecretBox(randomBytes(32)).blindIndex('a'));
    expect(box.fingerprint('whsec_x')).toMatch(/^[0-9a-f]{12}$/);
    const oldKey = randomBytes(32);
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    const candidates = rotated.blindIndexCandidates('a');
    expect(candidates).toContain(rotated.blindIndex('a'));
    expect(candidates).toContain(new SecretBox(oldKey).blindIndex('a'));
    expect(candidates).toContain(createHmac('sha256', oldKey).update('blind-index:').update('a').digest('base64url'));
  });

  it('needs 32-byte keys', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow();
    expect(() => new SecretBox(randomBytes(32), [randomBytes(31)])).toThrow();
  });
});
