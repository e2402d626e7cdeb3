import { ConnectionConfigError } from '../provider.interface';
import { parseRequiredHeaders } from '../required-headers';

/**
 * How the webhook secret becomes the HMAC key; Verifik does not document it (see MAPPING.md).
 * `auto`: the secret's UTF-8 bytes, and for a `whsec_` secret also its Standard Webhooks decoding;
 * `utf8`: the UTF-8 bytes only; `whsec`: the Standard Webhooks decoding only (base64 after `whsec_`).
 */
export const VERIFIK_SIGNATURE_KEYS = ['auto', 'utf8', 'whsec'] as const;
export type VerifikSignatureKey = (typeof VERIFIK_SIGNATURE_KEYS)[number];

/** A type alias so it is a Record. */
export type VerifikOptions = {
  signatureKey: VerifikSignatureKey;
  /** Custom headers set in the vendor's settings; checked by the ingress, not by the adapter. */
  requiredHeaders: Record<string, string>;
};

export const VERIFIK_DEFAULT_SIGNATURE_KEY: VerifikSignatureKey = 'auto';

/** Validate raw options and apply defaults. Unknown keys are most likely typos: refused. Idempotent. */
export function parseVerifikOptions(raw: Readonly<Record<string, unknown>>): VerifikOptions {
  for (const key of Object.keys(raw)) {
    if (key !== 'requiredHeaders' && key !== 'signatureKey') throw new ConnectionConfigError(key, 'is not a Verifik option');
  }
  return { requiredHeaders: parseRequiredHeaders(raw.requiredHeaders), signatureKey: parseSignatureKey(raw.signatureKey) };
}

function parseSignatureKey(value: unknown): VerifikSignatureKey {
  if (value === undefined || value === null) return VERIFIK_DEFAULT_SIGNATURE_KEY;
  const match = VERIFIK_SIGNATURE_KEYS.find((allowed) => allowed === value);
  if (match === undefined) throw new ConnectionConfigError('signatureKey', `must be one of ${VERIFIK_SIGNATURE_KEYS.join(', ')}`);
  return match;
}

/** The mode of parsed options; options parsed before the option existed (no `signatureKey`) mean `auto`. */
export function signatureKeyOf(options: Readonly<Record<string, unknown>>): VerifikSignatureKey {
  return VERIFIK_SIGNATURE_KEYS.find((allowed) => allowed === options.signatureKey) ?? VERIFIK_DEFAULT_SIGNATURE_KEY;
}
