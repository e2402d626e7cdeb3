import type { TimestampedOptions } from '../families/timestamped-signature';
import { optionsParser, seconds } from '../options';

/** A type alias so it is a Record: `requiredHeaders` and the signed timestamp's window. */
export type StripeOptions = TimestampedOptions;

/** The official SDK's default tolerance (stripe-node `Webhooks.DEFAULT_TOLERANCE`). */
export const STRIPE_DEFAULT_TOLERANCE_SECONDS = 300;

const parser = optionsParser<StripeOptions>('Stripe Identity', { timestampToleranceSeconds: seconds(STRIPE_DEFAULT_TOLERANCE_SECONDS) });

/** Validate raw options and apply defaults. Unknown keys are most likely typos: refused. Idempotent. */
export const parseStripeOptions = parser.parse;
export const STRIPE_OPTION_NAMES = parser.names;
