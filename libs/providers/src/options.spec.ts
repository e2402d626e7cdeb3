import { ConnectionConfigError } from './provider.interface';
import { oneOf, optionalText, optionsParser, seconds, someOf } from './options';

type Options = { requiredHeaders: Record<string, string>; window: number; mode: 'a' | 'b'; algorithms: Array<'x' | 'y'>; apiKey: string | null };
const parser = optionsParser<Options>('Acme', { window: seconds(300), mode: oneOf(['a', 'b'] as const, 'a'), algorithms: someOf(['x', 'y'] as const, ['x', 'y']), apiKey: optionalText });

const fieldOf = (raw: Record<string, unknown>): string | undefined => {
  try {
    parser.parse(raw);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectionConfigError);
    return (error as ConnectionConfigError).field;
  }
};

describe('optionsParser', () => {
  it('applies defaults, names every option, and is idempotent', () => {
    const defaults = parser.parse({});
    expect(defaults).toEqual({ requiredHeaders: {}, window: 300, mode: 'a', algorithms: ['x', 'y'], apiKey: null });
    expect(parser.names).toEqual(['requiredHeaders', 'window', 'mode', 'algorithms', 'apiKey']);
    const set = parser.parse({ window: 0, mode: 'b', algorithms: ['y', 'y'], apiKey: 'k', requiredHeaders: { 'X-Tenant': 't' } });
    expect(set).toEqual({ requiredHeaders: { 'X-Tenant': 't' }, window: 0, mode: 'b', algorithms: ['y'], apiKey: 'k' });
    expect(parser.parse(set)).toEqual(set);
  });

  it('refuses unknown names and bad values, naming the field', () => {
    expect(fieldOf({ windw: 1 })).toBe('windw');
    expect(fieldOf({ window: -1 })).toBe('window');
    expect(fieldOf({ window: 1.5 })).toBe('window');
    expect(fieldOf({ window: '300' })).toBe('window');
    expect(fieldOf({ mode: 'c' })).toBe('mode');
    expect(fieldOf({ algorithms: [] })).toBe('algorithms');
    expect(fieldOf({ algorithms: ['z'] })).toBe('algorithms');
    expect(fieldOf({ apiKey: '' })).toBe('apiKey');
    expect(fieldOf({ requiredHeaders: { 'bad header': 'x' } })).toBe('requiredHeaders');
  });
});
