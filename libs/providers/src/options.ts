import type { BaseOptions } from './define-provider';
import { ConnectionConfigError } from './provider.interface';
import { parseRequiredHeaders } from './required-headers';

/** One option's parser: the raw value (undefined when absent) to the typed value, default applied. Throws ConnectionConfigError. */
export type OptionParser<T> = (value: unknown, field: string) => T;

/**
 * A vendor's options parser from one parser per option; `requiredHeaders` comes with every
 * vendor. Unknown keys are most likely typos: refused rather than ignored. Idempotent.
 */
export function optionsParser<Options extends BaseOptions>(
  vendor: string,
  parsers: { readonly [K in Exclude<keyof Options, 'requiredHeaders'>]: OptionParser<Options[K]> },
): { parse: (raw: Readonly<Record<string, unknown>>) => Options; names: readonly (keyof Options & string)[] } {
  const names = ['requiredHeaders', ...Object.keys(parsers)] as (keyof Options & string)[];
  return {
    names,
    parse(raw) {
      for (const key of Object.keys(raw)) {
        if (!names.includes(key as keyof Options & string)) throw new ConnectionConfigError(key, `is not a ${vendor} option`);
      }
      const options: Record<string, unknown> = { requiredHeaders: parseRequiredHeaders(raw.requiredHeaders) };
      for (const [field, parse] of Object.entries<OptionParser<unknown>>(parsers)) options[field] = parse(raw[field] ?? undefined, field);
      return options as Options;
    },
  };
}

/** Whole seconds in [0, max], 0 meaning off. */
export const seconds =
  (fallback: number, max = 86_400): OptionParser<number> =>
  (value, field) => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new ConnectionConfigError(field, `must be a whole number of seconds from 0 (off) to ${max}`);
    return value;
  };

export const oneOf =
  <T extends string | number>(allowed: readonly T[], fallback: T): OptionParser<T> =>
  (value, field) => {
    if (value === undefined || value === null) return fallback;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw new ConnectionConfigError(field, `must be one of ${allowed.join(', ')}`);
    return match;
  };

/** A non-empty subset of `allowed`, duplicates dropped. */
export const someOf =
  <T extends string>(allowed: readonly T[], fallback: readonly T[]): OptionParser<T[]> =>
  (value, field) => {
    if (value === undefined || value === null) return [...fallback];
    if (!Array.isArray(value) || value.length === 0) throw new ConnectionConfigError(field, `must be a non-empty list of ${allowed.join(', ')}`);
    const parse = oneOf(allowed, allowed[0]);
    return [...new Set(value.map((entry) => parse(entry, field)))];
  };

/** A non-empty string, or null when absent. */
export const optionalText: OptionParser<string | null> = (value, field) => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '' || value.length > 512) throw new ConnectionConfigError(field, 'must be a non-empty string of at most 512 characters');
  return value;
};
