import { ConnectionConfigError } from './provider.interface';
import { seconds, type OptionParser } from './options';

/** Options every connection has, whatever its vendor: when the gateway raises its operational events. */
export interface ConnectionAlertOptions {
  /** Refusals in a row (no accepted webhook between them) that raise `ops.connection.refusing`; 0 = never. */
  refusalAlertThreshold: number;
  /** No webhook for this long raises `ops.connection.silent`; 0 = never. */
  silenceAlertSeconds: number;
  /** A verification in one non-final status for this long (vendor time) raises `ops.verification.stuck`; 0 = never. */
  stuckAfterSeconds: number;
}

const DAY = 86_400;

/**
 * Defaults: refusals alert after 5 in a row, well before a vendor gives up on the endpoint
 * (ComplyCube disables it after 10 failed retries); silence and stuck verifications depend on
 * the connection's traffic and the vendor's process, so only an operator can set them.
 */
const ALERT_OPTION_PARSERS: { readonly [K in keyof ConnectionAlertOptions]: OptionParser<ConnectionAlertOptions[K]> } = {
  refusalAlertThreshold: count(5, 100_000),
  silenceAlertSeconds: seconds(0, 30 * DAY),
  stuckAfterSeconds: seconds(0, 90 * DAY),
};

export const ALERT_OPTION_NAMES = Object.keys(ALERT_OPTION_PARSERS) as (keyof ConnectionAlertOptions)[];

/** The alert options of a connection's raw or parsed options, defaults applied; other keys ignored. Throws ConnectionConfigError. */
export function parseAlertOptions(raw: Readonly<Record<string, unknown>>): ConnectionAlertOptions {
  const parsed: Record<string, number> = {};
  for (const name of ALERT_OPTION_NAMES) parsed[name] = ALERT_OPTION_PARSERS[name](raw[name] ?? undefined, name);
  return parsed as unknown as ConnectionAlertOptions;
}

/** The options without the alert options: what the vendor's own parser reads. */
export function vendorOptionsOf(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...raw };
  for (const name of ALERT_OPTION_NAMES) delete rest[name];
  return rest;
}

function count(fallback: number, max: number): OptionParser<number> {
  return (value, field) => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new ConnectionConfigError(field, `must be a whole number from 0 (off) to ${max}`);
    return value;
  };
}

export const DEFAULT_ALERT_OPTIONS: Readonly<ConnectionAlertOptions> = parseAlertOptions({});
