import type { TimestampedOptions } from '../families/timestamped-signature';
import { optionsParser, seconds } from '../options';

/** A type alias so it is a Record: the family's window, and `requiredHeaders`. */
export type PersonaOptions = TimestampedOptions;

/**
 * Allowed distance, both directions, between the signed `t` and receipt. Persona documents no
 * window; 300 s covers clock skew and its 5 s timeout, and each delivery attempt is signed anew.
 */
export const PERSONA_DEFAULT_TIMESTAMP_TOLERANCE_SECONDS = 300;

const parser = optionsParser<PersonaOptions>('Persona', { timestampToleranceSeconds: seconds(PERSONA_DEFAULT_TIMESTAMP_TOLERANCE_SECONDS) });

/** Validate raw options and apply defaults. Unknown keys are most likely typos: refused. Idempotent. */
export const parsePersonaOptions = parser.parse;
export const PERSONA_OPTION_NAMES = parser.names;
