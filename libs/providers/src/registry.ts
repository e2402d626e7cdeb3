import { allpassProvider } from './allpass';
import { complycubeProvider } from './complycube';
import type { InboundWebhook, ProviderAdapter } from './provider.interface';
import { verifikProvider } from './verifik';

/**
 * Every supported vendor, one line each. Order matters only for `POST /webhooks` detection:
 * vendors recognised by a signature header come before shape-based recognition.
 */
export const PROVIDERS: readonly ProviderAdapter[] = [complycubeProvider, verifikProvider, allpassProvider];

const BY_NAME = new Map(PROVIDERS.map((provider) => [provider.name, provider]));

export function findProvider(name: string): ProviderAdapter | undefined {
  return BY_NAME.get(name);
}

/** The vendor a request to the single ingress URL comes from, if any adapter recognises it. */
export function detectProvider(webhook: InboundWebhook): ProviderAdapter | undefined {
  return PROVIDERS.find((provider) => provider.recognizes(webhook));
}
