import { optionalText, optionsParser } from '../options';

/** A type alias so it is a Record. */
export type VeriffOptions = {
  /**
   * The integration's public API key, which Veriff sends as `X-AUTH-CLIENT`. Not a secret: set, it
   * ties the connection to one integration (a request with another key, or none, is refused for
   * this connection, so on the single URL the matching connection wins); null, the header is ignored.
   */
  apiKey: string | null;
  /** Custom headers set in the vendor's settings; checked by the ingress, not by the adapter. */
  requiredHeaders: Record<string, string>;
};

const parser = optionsParser<VeriffOptions>('Veriff', { apiKey: optionalText });

/** Validate raw options and apply defaults. Unknown keys are most likely typos: refused. Idempotent. */
export const parseVeriffOptions = parser.parse;
export const VERIFF_OPTION_NAMES = parser.names;
