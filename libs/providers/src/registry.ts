import { allpassProvider } from './allpass';
import { complycubeProvider } from './complycube';
import { onfidoProvider } from './onfido';
import { personaProvider } from './persona';
import type { InboundWebhook, ProviderAdapter } from './provider.interface';
import { stripeProvider } from './stripe';
import { sumsubProvider } from './sumsub';
import { veriffProvider } from './veriff';
import { verifikProvider } from './verifik';

/** Every supported vendor, one line each. */
export const PROVIDERS: readonly ProviderAdapter[] = [allpassProvider, complycubeProvider, verifikProvider, sumsubProvider, onfidoProvider, veriffProvider, personaProvider, stripeProvider];

const BY_NAME = new Map(PROVIDERS.map((provider) => [provider.name, provider]));

/** Lower-case signature header → its vendor. */
const BY_SIGNATURE_HEADER = new Map(PROVIDERS.flatMap((provider) => provider.signatureHeaders.map((header) => [header, provider] as const)));

export function findProvider(name: string): ProviderAdapter | undefined {
  return BY_NAME.get(name);
}

/** Every vendor's signature headers: what the logs redact. */
export const SIGNATURE_HEADERS: readonly string[] = [...BY_SIGNATURE_HEADER.keys()];

/**
 * The vendor a request to the single ingress URL comes from, if any: the one whose signature
 * header it carries, else the one that recognises its body (Allpass's envelope, whose tag header is optional).
 */
export function detectProvider(webhook: InboundWebhook): ProviderAdapter | undefined {
  for (const [header, provider] of BY_SIGNATURE_HEADER) {
    if (webhook.headers[header] !== undefined) return provider;
  }
  return PROVIDERS.find((provider) => provider.recognizesBody?.(webhook) === true);
}
