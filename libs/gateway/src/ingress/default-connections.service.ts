import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { ConnectionStore } from '@kyc/persistence';
import { ConnectionConfigError, findProvider, PROVIDERS, ProviderAdapter } from '@kyc/providers';

/**
 * Creates each provider's `default` connection from the environment, at boot, when it does not
 * exist. An existing one is never overwritten (a secret rotated through the admin API after a leak
 * stays rotated across restarts): when it differs from the environment, a warning names the
 * connection, never a value. An environment that describes an invalid or unsafe connection
 * stops the boot, naming the variable. Then every stored connection's weaknesses are logged.
 */
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
      checkEnvironment(adapter, fromEnv.secrets, fromEnv.options);
      const outcome = await this.store.createIfMissing(adapter.name, 'default', fromEnv.secrets, fromEnv.options);
      if (outcome === 'created') this.logger.log(`connection ${adapter.name}/default created from the environment`);
      if (outcome === 'differs') {
        this.logger.warn(
          `connection ${adapter.name}/default differs from the environment (${variablesOf(adapter).join(', ')}); ` +
            'keeping the stored one (changed through the admin API): update or unset the variables to silence this',
        );
      }
    }
    await this.warnAboutWeakConnections();
  }

  /**
   * Connections stored before a rule existed (e.g. Allpass CBC without an HMAC key) keep serving:
   * say so at every boot, as the admin API's `warnings` do.
   */
  private async warnAboutWeakConnections(): Promise<void> {
    for (const connection of await this.store.listOpened()) {
      const adapter = findProvider(connection.provider);
      if (!adapter) continue;
      let warnings: string[];
      try {
        warnings = adapter.securityWarnings({ secrets: connection.secrets, options: adapter.parseOptions(connection.options) });
      } catch (error) {
        if (!(error instanceof ConnectionConfigError)) throw error;
        warnings = [`options no longer valid (${error.message}); fix them through the admin API`];
      }
      for (const warning of warnings) this.logger.warn(`connection ${connection.provider}/${connection.name}: ${warning}`);
    }
  }

  private fromEnvironment(adapter: ProviderAdapter): { secrets: Record<string, string>; options: Record<string, unknown> } | undefined {
    const read = (variable: string) => this.config.providerVariables[variable];
    const secrets = pick(adapter.environment.secrets, read);
    if (Object.keys(secrets).length === 0) return undefined;
    return { secrets, options: pick(adapter.environment.options, read) };
  }
}

/** The adapter's checks, with errors naming the environment variable (never its value). */
function checkEnvironment(adapter: ProviderAdapter, secrets: Record<string, string>, rawOptions: Record<string, unknown>): void {
  try {
    adapter.checkSecrets(secrets, adapter.parseOptions(rawOptions));
  } catch (error) {
    if (!(error instanceof ConnectionConfigError)) throw error;
    const variable = adapter.environment.secrets[error.field] ?? adapter.environment.options[error.field] ?? error.field;
    throw new Error(`connection ${adapter.name}/default from the environment: ${variable} ${error.message.slice(error.field.length + 2)}`);
  }
}

function variablesOf(adapter: ProviderAdapter): string[] {
  return [...Object.values(adapter.environment.secrets), ...Object.values(adapter.environment.options)];
}

function pick(variables: Readonly<Record<string, string>>, read: (variable: string) => string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [field, variable] of Object.entries(variables)) {
    const value = read(variable);
    if (value !== undefined) values[field] = value;
  }
  return values;
}
