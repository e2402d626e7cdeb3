import { ALERT_OPTION_NAMES, DEFAULT_ALERT_OPTIONS, parseAlertOptions, vendorOptionsOf } from './alert-options';
import { ConnectionConfigError } from './provider.interface';
import { PROVIDERS } from './registry';

describe('connection alert options', () => {
  it('defaults: refusals alert after 5 in a row, silence and stuck off', () => {
    expect(DEFAULT_ALERT_OPTIONS).toEqual({ refusalAlertThreshold: 5, silenceAlertSeconds: 0, stuckAfterSeconds: 0 });
  });

  it('keeps valid values and refuses others, naming the field', () => {
    expect(parseAlertOptions({ refusalAlertThreshold: 0, silenceAlertSeconds: 3600, stuckAfterSeconds: 86_400, other: 'ignored' })).toEqual({
      refusalAlertThreshold: 0,
      silenceAlertSeconds: 3600,
      stuckAfterSeconds: 86_400,
    });
    for (const [field, value] of [
      ['refusalAlertThreshold', -1],
      ['refusalAlertThreshold', 1.5],
      ['refusalAlertThreshold', '5'],
      ['silenceAlertSeconds', 31 * 86_400],
      ['stuckAfterSeconds', 91 * 86_400],
    ] as const) {
      expect(() => parseAlertOptions({ [field]: value })).toThrow(ConnectionConfigError);
      expect(() => parseAlertOptions({ [field]: value })).toThrow(field);
    }
  });

  it('every vendor takes them beside its own options, and its own parser never sees them', () => {
    for (const provider of PROVIDERS) {
      expect(provider.optionNames).toEqual(expect.arrayContaining([...ALERT_OPTION_NAMES]));
      const parsed = provider.parseOptions({ stuckAfterSeconds: 600 });
      expect(parsed).toMatchObject({ ...DEFAULT_ALERT_OPTIONS, stuckAfterSeconds: 600 });
      expect(provider.parseOptions(parsed)).toEqual(parsed);
      expect(() => provider.parseOptions({ silenceAlertSeconds: -5 })).toThrow('silenceAlertSeconds');
      expect(vendorOptionsOf(parsed)).not.toHaveProperty('stuckAfterSeconds');
    }
  });
});
