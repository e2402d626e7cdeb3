import type { EventIdDigest, NormalizedEvent } from '@kyc/core';

/** One inbound HTTP request, as the ingress hands it to an adapter. */
export interface InboundWebhook {
  /** Exact bytes received: signatures are verified on these, never on a re-serialized body. */
  readonly rawBody: Buffer;
  /** Header names lower-cased; repeated headers joined by ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /**
   * The body, parsed by the ingress on first access (once); throws WebhookRejection (400) when it
   * is not JSON. Vendors that sign the raw bytes read it only after verifying them.
   */
  readonly json: unknown;
  readonly receivedAt: Date;
  /** Keyed digest (from SECRETS_KEY) for the dedup key of a vendor that sends no event id: adapters hold no keys of their own. */
  readonly eventIdDigest: EventIdDigest;
}

/** One set of a connection's secrets with its options (a connection has two during a rotation). */
export interface ConnectionCredentials {
  readonly secrets: Readonly<Record<string, string>>;
  /** Options as returned by the adapter's `parseOptions` (defaults applied). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** What authentication and decoding produce: the vendor's event, decrypted and parsed. */
export interface DecodedWebhook {
  /** Dedup key: the vendor's event id, or a keyed digest of the canonical payload where it has none. */
  readonly providerEventId: string;
  /** The vendor's own type string, verbatim. */
  readonly providerEventType: string;
  /** The decoded vendor payload. Personal data: stored sealed, never logged. */
  readonly payload: Record<string, unknown>;
  /** The vendor's event time where it travels outside the payload (the Allpass envelope's `time`), ISO-8601. */
  readonly occurredAt?: string;
}

/** A realistic vendor request, for the simulator, tests and benchmarks. */
export interface SimulatedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface SimulateOptions {
  /** Time the vendor builds the request at (default: now). */
  readonly now?: Date;
  /** Fields merged over the generated payload (e.g. a fixed applicant id). */
  readonly payload?: Record<string, unknown>;
}

/** A vendor type, or a variant of it that the mapping tells apart by a payload field (an outcome, a status). */
export interface VendorEventVariant {
  readonly eventType: string;
  /** Fields merged over the simulator's generated payload (`SimulateOptions.payload`); `undefined` removes one. */
  readonly payload?: Record<string, unknown>;
}

export interface ProviderSimulator {
  /** Vendor types this simulator can build (shown by `npm run simulate`). */
  readonly eventTypes: readonly string[];
  /** A representative type (a decision), for the benchmark's load and demos. */
  readonly sampleEventType: string;
  /** Fresh random secrets of the vendor's format, for a local demo connection. */
  generateSecrets(): Record<string, string>;
  /** A correctly signed/encrypted request of `eventType`; every call yields a unique event. */
  build(eventType: string, credentials: ConnectionCredentials, options?: SimulateOptions): SimulatedRequest;
  /**
   * The headers that authenticate exactly `body`, for vendors that sign the JSON they send (all but
   * Allpass, whose body is an envelope): lets the fuzz suites send authentic bodies of any content.
   */
  signBody?(body: string, credentials: ConnectionCredentials, now?: Date): Record<string, string>;
}

/** Thrown by `parseOptions` / `checkSecrets` with a message naming the field; never includes a secret value. */
export class ConnectionConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConnectionConfigError';
  }
}

/**
 * A connection's credentials made ready once, when the ingress loads its connections: options
 * parsed, keys decoded. Authenticating a request then only verifies and decodes.
 */
export interface PreparedConnection {
  /** Custom headers the operator configured (`requiredHeaders`); checked by the ingress before `authenticate`. */
  readonly requiredHeaders: Readonly<Record<string, string>>;
  /**
   * Authenticate the request with these credentials and decode it.
   * Throws WebhookRejection (400 malformed, 401 signature/timestamp).
   */
  authenticate(webhook: InboundWebhook): DecodedWebhook;
}

/**
 * One KYC vendor. Adding a vendor = a folder implementing this (through `defineProvider`, or one
 * of the signature families built on it) + one line in `registry.ts`. Everything else (routes,
 * environment variables, log redaction, detection, admin docs, simulate, bench) reads the registry.
 * Every method is synchronous and pure (no I/O): the ingress owns storage and HTTP.
 */
export interface ProviderAdapter {
  /** Route segment and `VerificationEvent.provider`, e.g. 'allpass'. */
  readonly name: string;
  /** The vendor's name for people, e.g. 'ComplyCube'. */
  readonly displayName: string;
  /** Secret names a connection must / may have, e.g. `{ required: ['webhookSecret'] }`. */
  readonly secretFields: { readonly required: readonly string[]; readonly optional: readonly string[] };
  /** Every connection option the adapter takes (`requiredHeaders` included), for docs and errors. */
  readonly optionNames: readonly string[];
  /**
   * Environment variables that create the connection `default` at boot when it does not exist
   * (never overwrite it): every secret field and the options the adapter names, as `<NAME>_<FIELD>`.
   */
  readonly environment: {
    readonly secrets: Readonly<Record<string, string>>;
    readonly options: Readonly<Record<string, string>>;
  };
  /**
   * Lower-case headers that carry the vendor's signature: a request with one of them is this
   * vendor's on `POST /webhooks`, and their values are redacted from logs.
   */
  readonly signatureHeaders: readonly string[];
  readonly simulator: ProviderSimulator;
  /**
   * Every vendor type the mapping knows, with the payload variants that change its mapping: the
   * taxonomy test walks them all (through the simulator), so a new vendor is checked as it is added.
   */
  readonly knownEvents: readonly VendorEventVariant[];

  /**
   * For a vendor whose signature header is optional (Allpass): a cheap, side-effect-free guess
   * from the body, asked only when no vendor's signature header is present.
   */
  recognizesBody?(webhook: InboundWebhook): boolean;

  /** Validate raw connection options and apply defaults. Throws ConnectionConfigError. Idempotent. */
  parseOptions(raw: Readonly<Record<string, unknown>>): Record<string, unknown>;

  /** Validate a secrets object (formats, lengths). Throws ConnectionConfigError. */
  checkSecrets(secrets: Readonly<Record<string, string>>, options: Readonly<Record<string, unknown>>): void;

  /** Parse the options and decode the keys once (the connection cache calls it at each load). Throws ConnectionConfigError. */
  prepare(credentials: ConnectionCredentials): PreparedConnection;

  /** Weaknesses of a configuration worth a warning at boot and in the admin API (e.g. unauthenticated encryption). */
  securityWarnings(credentials: ConnectionCredentials): string[];

  /** Map a decoded webhook to the normalized event; unknown types become `<provider>.<type>`. */
  normalize(decoded: DecodedWebhook): NormalizedEvent;
}
