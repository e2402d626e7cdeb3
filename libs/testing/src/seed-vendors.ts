import { findProvider, PROVIDERS, type ConnectionCredentials, type ProviderAdapter, type SimulatedRequest, type SimulateOptions } from '@kyc/providers';

/** A registered vendor's name. */
export type SeedVendor = string;

/**
 * Fresh secrets for every registered vendor's `default` connection (each on its default options,
 * Allpass on AES-256-GCM), the environment that creates those connections, and correctly signed
 * or encrypted requests. Built from the registry: a vendor added there is here too.
 */
export class SeedVendors {
  readonly secrets: Readonly<Record<SeedVendor, Record<string, string>>> = Object.fromEntries(PROVIDERS.map((provider) => [provider.name, provider.simulator.generateSecrets()]));

  /** Configuration entries creating each vendor's `default` connection at boot (for testConfig). */
  get environment(): Record<string, string> {
    return Object.fromEntries(
      PROVIDERS.flatMap((provider) =>
        Object.entries(provider.environment.secrets).flatMap(([field, variable]) => (this.secrets[provider.name][field] === undefined ? [] : [[variable, this.secrets[provider.name][field]]])),
      ),
    );
  }

  credentials(vendor: SeedVendor, options: Record<string, unknown> = {}): ConnectionCredentials {
    return { secrets: this.secrets[vendor], options: adapter(vendor).parseOptions(options) };
  }

  /** A request of `type` as the vendor sends it to the `default` connection. */
  build(vendor: SeedVendor, type: string, options?: SimulateOptions): SimulatedRequest {
    return adapter(vendor).simulator.build(type, this.credentials(vendor), options);
  }
}

function adapter(vendor: SeedVendor): ProviderAdapter {
  const found = findProvider(vendor);
  if (!found) throw new Error(`no vendor ${vendor} in the registry`);
  return found;
}

export const aSeedVendorSet = (): SeedVendors => new SeedVendors();
