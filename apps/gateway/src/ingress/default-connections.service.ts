import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig, EnvironmentVariables } from '@kyc/config';
import { ConnectionStore } from '@kyc/persistence';
import { PROVIDERS, ProviderAdapter } from '@kyc/providers';

/** Creates or updates each provider's `default` connection from the environment, at boot. */
@Injectable()
export class DefaultConnectionsService implements OnModuleInit {
  private readonly logger = new Logger('Connections');

  constructor(
    private readonly config: AppConfig,
    private readonly store: ConnectionStore,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const adapter of PROVIDERS) {
      const fromEnv = this.fromEnvironment(adapter);
      if (!fromEnv) continue;
      const options = adapter.parseOptions(fromEnv.options);
      adapter.checkSecrets(fromEnv.secrets, options);
      const outcome = await this.store.upsert(adapter.name, 'default', fromEnv.secrets, fromEnv.options);
      if (outcome !== 'unchanged') this.logger.log(`connection ${adapter.name}/default ${outcome} from the environment`);
      for (const warning of adapter.securityWarnings?.({ secrets: fromEnv.secrets, options }) ?? []) {
        this.logger.warn(`${adapter.name}/default: ${warning}`);
      }
    }
  }

  private fromEnvironment(adapter: ProviderAdapter): { secrets: Record<string, string>; options: Record<string, unknown> } | undefined {
    const read = (variable: string) => this.config.env[variable as keyof EnvironmentVariables] as string | undefined;
    const secrets = pick(adapter.environment.secrets, read);
    if (Object.keys(secrets).length === 0) return undefined;
    return { secrets, options: pick(adapter.environment.options, read) };
  }
}

function pick(variables: Readonly<Record<string, string>>, read: (variable: string) => string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [field, variable] of Object.entries(variables)) {
    const value = read(variable);
    if (value !== undefined) values[field] = value;
  }
  return values;
}
