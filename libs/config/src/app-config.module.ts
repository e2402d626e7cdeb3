import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox } from '@kyc/core';
import { AppConfig, loadAppConfig } from './app-config';

@Global()
@Module({})
export class AppConfigModule {
  /** `config` lets tests and the all-in-one entry pass an already loaded configuration. */
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: AppConfig, useFactory: () => config ?? loadAppConfig() },
        // Seals secrets and personal data at rest with SECRETS_KEY; opens what SECRETS_KEY_PREVIOUS sealed.
        { provide: SecretBox, useFactory: (app: AppConfig) => new SecretBox(app.secretsKey, app.previousSecretsKeys), inject: [AppConfig] },
      ],
      exports: [AppConfig, SecretBox],
    };
  }
}
