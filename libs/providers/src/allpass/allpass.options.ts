import { parseRequiredHeaders } from '../required-headers';
import { ConnectionConfigError } from '../provider.interface';

export const ENCRYPTION_METHODS = ['aes-256-cbc', 'aes-256-gcm'] as const;
export const KEY_ENCODINGS = ['auto', 'hex', 'base64', 'utf8'] as const;
export const DATA_ENCODINGS = ['auto', 'hex', 'base64'] as const;
export const GCM_TAG_SOURCES = ['auto', 'header', 'data'] as const;
export const GCM_IV_BYTES = [12, 16] as const;

/** What the dedup key covers when the payload has no `eventId` (see MAPPING.md, "Dedup key"). */
export const DEDUP_KEYS = ['time+payload', 'payload'] as const;

export type EncryptionMethod = (typeof ENCRYPTION_METHODS)[number];
export type KeyEncoding = (typeof KEY_ENCODINGS)[number];
export type DataEncoding = (typeof DATA_ENCODINGS)[number];
export type GcmTagSource = (typeof GCM_TAG_SOURCES)[number];
export type GcmIvBytes = (typeof GCM_IV_BYTES)[number];
export type DedupKey = (typeof DEDUP_KEYS)[number];

/** Per-connection choices where the vendor's docs leave gaps (see MAPPING.md). A type alias so it is a Record. */
export type AllpassOptions = {
  /** The application's method in the vendor's settings. GCM by default: it is the authenticated one. */
  encryptionMethod: EncryptionMethod;
  keyEncoding: KeyEncoding;
  dataEncoding: DataEncoding;
  gcmIvBytes: GcmIvBytes;
  gcmTagSource: GcmTagSource;
  /** Allowed distance between the envelope `time` and receipt, both directions; 0 = no check (the default: retries keep their first `time`). */
  timestampToleranceSeconds: number;
  /** The payload field naming the event; null = the first present of `type`, `event`, `eventType`, `eventName`. */
  typeField: string | null;
  /** Custom headers set in the vendor's settings; checked by the ingress, not by the adapter. */
  requiredHeaders: Record<string, string>;
  /**
   * CBC without an HMAC key or a required header is malleable and was a padding oracle: refused
   * unless the operator says so here (and then it carries a warning).
   */
  allowUnauthenticatedCbc: boolean;
  /**
   * `time+payload`: the envelope `time` and the payload, so the same transition happening again is
   * a new event (but a replay with a new `time` is too); `payload`: the payload alone, so a replay
   * with a new `time` is a duplicate (but so is a real repeat of the same transition).
   */
  dedupKey: DedupKey;
};

export const ALLPASS_DEFAULT_OPTIONS: Readonly<AllpassOptions> = Object.freeze({
  encryptionMethod: 'aes-256-gcm',
  keyEncoding: 'auto',
  dataEncoding: 'auto',
  gcmIvBytes: 12,
  gcmTagSource: 'auto',
  timestampToleranceSeconds: 0,
  typeField: null,
  requiredHeaders: {},
  allowUnauthenticatedCbc: false,
  dedupKey: 'time+payload',
});

export const ALLPASS_OPTION_NAMES = Object.keys(ALLPASS_DEFAULT_OPTIONS) as (keyof AllpassOptions)[];
const KNOWN = new Set<string>(ALLPASS_OPTION_NAMES);
/** Validate raw options and apply defaults. Idempotent: parsing the result again gives the same. */
export function parseAllpassOptions(raw: Readonly<Record<string, unknown>>): AllpassOptions {
  // Unknown keys are most likely typos of a real option: refuse them rather than ignore them.
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) throw new ConnectionConfigError(key, 'is not an Allpass option');
  }
  const d = ALLPASS_DEFAULT_OPTIONS;
  return {
    encryptionMethod: oneOf(raw, 'encryptionMethod', ENCRYPTION_METHODS, d.encryptionMethod),
    keyEncoding: oneOf(raw, 'keyEncoding', KEY_ENCODINGS, d.keyEncoding),
    dataEncoding: oneOf(raw, 'dataEncoding', DATA_ENCODINGS, d.dataEncoding),
    gcmIvBytes: oneOf(raw, 'gcmIvBytes', GCM_IV_BYTES, d.gcmIvBytes),
    gcmTagSource: oneOf(raw, 'gcmTagSource', GCM_TAG_SOURCES, d.gcmTagSource),
    timestampToleranceSeconds: tolerance(raw.timestampToleranceSeconds, d.timestampToleranceSeconds),
    typeField: fieldName(raw.typeField),
    requiredHeaders: parseRequiredHeaders(raw.requiredHeaders),
    allowUnauthenticatedCbc: flag(raw, 'allowUnauthenticatedCbc', d.allowUnauthenticatedCbc),
    dedupKey: oneOf(raw, 'dedupKey', DEDUP_KEYS, d.dedupKey),
  };
}

function oneOf<T extends string | number>(raw: Readonly<Record<string, unknown>>, field: string, allowed: readonly T[], fallback: T): T {
  const value = raw[field];
  if (value === undefined || value === null) return fallback;
  const match = allowed.find((a) => a === value);
  if (match === undefined) throw new ConnectionConfigError(field, `must be one of ${allowed.join(', ')}`);
  return match;
}

function tolerance(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConnectionConfigError('timestampToleranceSeconds', 'must be a whole number of seconds, 0 or more (0 = off)');
  }
  return value;
}

function flag(raw: Readonly<Record<string, unknown>>, field: string, fallback: boolean): boolean {
  const value = raw[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new ConnectionConfigError(field, 'must be true or false');
  return value;
}

function fieldName(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(value)) {
    throw new ConnectionConfigError('typeField', 'must be a payload field name (letters, digits, _ . -; at most 64 characters)');
  }
  return value;
}
