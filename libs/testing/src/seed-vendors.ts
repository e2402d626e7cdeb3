import { randomBytes } from 'node:crypto';
import { findProvider, type ConnectionCredentials, type SimulatedRequest, type SimulateOptions } from '@kyc/providers';

export type SeedVendor = 'allpass' | 'complycube' | 'verifik';

/**
 * Fresh secrets for the seed vendors' `default` connections (Allpass on its default, AES-256-GCM),
 * the environment that creates those connections, and correctly signed or encrypted requests.
 */
export class SeedVendors {
  readonly secrets = {
    allpass: { cryptoKey: randomBytes(32).toString('hex') },
    complycube: { webhookSecret: `cc_${randomBytes(12).toString('hex')}` },
    verifik: { webhookSecret: `whsec_${randomBytes(18).toString('base64')}` },
  };

  /** Configuration entries creating each vendor's `default` connection at boot (for testConfig). */
  get environment(): Record<string, string> {
    return {
      ALLPASS_CRYPTO_KEY: this.secrets.allpass.cryptoKey,
      COMPLYCUBE_WEBHOOK_SECRET: this.secrets.complycube.webhookSecret,
      VERIFIK_WEBHOOK_SECRET: this.secrets.verifik.webhookSecret,
    };
  }

  credentials(vendor: SeedVendor, options: Record<string, unknown> = {}): ConnectionCredentials {
    return { secrets: this.secrets[vendor], options: findProvider(vendor)!.parseOptions(options) };
  }

  /** A request of `type` as the vendor sends it to the `default` connection. */
  build(vendor: SeedVendor, type: string, options?: SimulateOptions): SimulatedRequest {
    return findProvider(vendor)!.simulator.build(type, this.credentials(vendor), options);
  }
}

export const aSeedVendorSet = (): SeedVendors => new SeedVendors();
