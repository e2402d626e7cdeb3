import { oneOf, optionsParser } from '../options';

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

const parser = optionsParser<VerifikOptions>('Verifik', { signatureKey: oneOf(VERIFIK_SIGNATURE_KEYS, VERIFIK_DEFAULT_SIGNATURE_KEY) });

/** Validate raw options and apply defaults. Unknown keys are most likely typos: refused. Idempotent. */
export const parseVerifikOptions = parser.parse;
export const VERIFIK_OPTION_NAMES = parser.names;
