import { parseDigest } from './digest';

describe('parseDigest', () => {
  const bytes = Buffer.alloc(32, 0xab);

  it('reads hex of the exact length, any case', () => {
    expect(parseDigest(bytes.toString('hex'), 32, ['hex'])).toEqual(bytes);
    expect(parseDigest(bytes.toString('hex').toUpperCase(), 32, ['hex'])).toEqual(bytes);
  });

  it('reads canonical base64, standard or url-safe, only where allowed', () => {
    const standard = Buffer.from('fb'.repeat(32), 'hex');
    expect(parseDigest(standard.toString('base64'), 32, ['hex', 'base64'])).toEqual(standard);
    expect(parseDigest(standard.toString('base64url') + '=', 32, ['hex', 'base64'])).toEqual(standard);
    expect(parseDigest(standard.toString('base64'), 32, ['hex'])).toBeNull();
  });

  it('refuses anything else: other lengths, stray characters, non-canonical base64, mixed alphabets', () => {
    for (const value of ['', 'ab', bytes.toString('hex').slice(1), `${bytes.toString('hex')}00`, 'g'.repeat(64), `${'A'.repeat(42)}B=`, `${'+'.repeat(21)}${'_'.repeat(22)}=`]) {
      expect({ value, parsed: parseDigest(value, 32, ['hex', 'base64']) }).toEqual({ value, parsed: null });
    }
  });
});
