import { optionsParser, someOf } from '../options';

/** Values of Sumsub's `X-Payload-Digest-Alg` header, i.e. the webhook's `signatureAlgorithm` setting. */
export const SUMSUB_ALGORITHMS = ['HMAC_SHA1_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'] as const;
export type SumsubAlgorithm = (typeof SUMSUB_ALGORITHMS)[number];

/** What a request without `X-Payload-Digest-Alg` is signed with: SHA-1, Sumsub's legacy default. */
export const SUMSUB_DEFAULT_ALGORITHM: SumsubAlgorithm = 'HMAC_SHA1_HEX';

/** A type alias so it is a Record. */
export type SumsubOptions = {
  /** Algorithms the connection accepts; a request naming (or defaulting to) another is refused (401). */
  algorithms: SumsubAlgorithm[];
  /** Custom headers set in the vendor's settings; checked by the ingress, not by the adapter. */
  requiredHeaders: Record<string, string>;
};

const parser = optionsParser<SumsubOptions>('Sumsub', { algorithms: someOf(SUMSUB_ALGORITHMS, SUMSUB_ALGORITHMS) });

/** Validate raw options and apply defaults (every algorithm). Unknown keys are most likely typos: refused. Idempotent. */
export const parseSumsubOptions = parser.parse;
export const SUMSUB_OPTION_NAMES = parser.names;
