import { type NormalizedEvent, WebhookRejection } from '@kyc/core';
import type { DecodedWebhook, InboundWebhook, PreparedConnection, ProviderAdapter, ProviderSimulator, VendorEventVariant } from './provider.interface';
import { checkWebhookSecret } from './required-headers';
import { ALERT_OPTION_NAMES, parseAlertOptions, vendorOptionsOf } from './alert-options';

/** Options every vendor has: custom headers the operator configured on the vendor's side. */
export type BaseOptions = { requiredHeaders: Record<string, string> };

/**
 * A vendor, typed: `Options` as its parser returns them, `Keys` as `prepareKeys` decodes them.
 * `defineProvider` turns it into the registry's `ProviderAdapter`, so the typed options and keys
 * never travel as loose records.
 */
export interface ProviderDefinition<Options extends BaseOptions, Keys> {
  readonly name: string;
  readonly displayName: string;
  readonly secretFields: ProviderAdapter['secretFields'];
  /** Options an environment variable may set on the `default` connection (`<NAME>_<OPTION>`). */
  readonly environmentOptions?: readonly (keyof Options & string)[];
  readonly signatureHeaders: readonly string[];
  readonly simulator: ProviderSimulator;
  readonly knownEvents: readonly VendorEventVariant[];
  readonly optionNames: readonly (keyof Options & string)[];
  recognizesBody?: (webhook: InboundWebhook) => boolean;
  /** Validate raw options and apply defaults; idempotent. Throws ConnectionConfigError. */
  parseOptions: (raw: Readonly<Record<string, unknown>>) => Options;
  /** Default: a non-empty `webhookSecret`. Throws ConnectionConfigError. */
  checkSecrets?: (secrets: Readonly<Record<string, string>>, options: Options) => void;
  /** The secrets decoded into what verification needs; runs once per connection load. */
  prepareKeys(secrets: Readonly<Record<string, string>>, options: Options): Keys;
  authenticate(webhook: InboundWebhook, keys: Keys, options: Options): DecodedWebhook;
  securityWarnings?(secrets: Readonly<Record<string, string>>, options: Options): string[];
  normalize(decoded: DecodedWebhook): NormalizedEvent;
}

export function defineProvider<Options extends BaseOptions, Keys>(definition: ProviderDefinition<Options, Keys>): ProviderAdapter {
  const { name, displayName, secretFields, signatureHeaders, simulator, knownEvents, optionNames } = definition;
  const checkSecrets = definition.checkSecrets ?? ((secrets: Readonly<Record<string, string>>) => checkWebhookSecret(secrets));
  // Every connection also has the alert options (alert-options.ts), which the vendor's parser never sees.
  const parseOptions = (raw: Readonly<Record<string, unknown>>): Options => definition.parseOptions(vendorOptionsOf(raw));
  return {
    name,
    displayName,
    secretFields,
    optionNames: [...optionNames, ...ALERT_OPTION_NAMES],
    signatureHeaders,
    simulator,
    knownEvents,
    environment: {
      secrets: variables(name, [...secretFields.required, ...secretFields.optional]),
      options: variables(name, definition.environmentOptions ?? []),
    },
    recognizesBody: definition.recognizesBody,
    parseOptions: (raw): Record<string, unknown> => ({ ...(parseOptions(raw) as Record<string, unknown>), ...parseAlertOptions(raw) }),
    checkSecrets: (secrets, options) => checkSecrets(secrets, parseOptions(options)),
    prepare({ secrets, options: raw }): PreparedConnection {
      const options = parseOptions(raw);
      let keys: Keys;
      try {
        keys = definition.prepareKeys(secrets, options);
      } catch {
        // Stored secrets were checked when they were set; should they still not decode, the
        // connection verifies nothing (401) rather than failing every request with a 500.
        return { requiredHeaders: options.requiredHeaders, authenticate: () => refuse(`${displayName} connection keys are not usable`) };
      }
      return { requiredHeaders: options.requiredHeaders, authenticate: (webhook) => definition.authenticate(webhook, keys, options) };
    },
    securityWarnings: ({ secrets, options }) => definition.securityWarnings?.(secrets, parseOptions(options)) ?? [],
    normalize: (decoded) => definition.normalize(decoded),
  };
}

function refuse(detail: string): never {
  throw new WebhookRejection('invalid_signature', detail);
}

/** `webhookSecret` of `complycube` → `COMPLYCUBE_WEBHOOK_SECRET`. */
function environmentVariable(provider: string, field: string): string {
  return `${provider}_${field.replace(/([a-z0-9])([A-Z])/g, '$1_$2')}`.toUpperCase();
}

function variables(provider: string, fields: readonly string[]): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field, environmentVariable(provider, field)]));
}
