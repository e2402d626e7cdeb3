import { AppConfig, ConfigurationError, loadAppConfig } from '@kyc/config';
import { INestApplicationContext, Logger } from '@nestjs/common';

/** Close the app on SIGTERM/SIGINT (drains HTTP, closes workers and connections), once. Used instead of
 * Nest's enableShutdownHooks, which would close it a second time. */
export function closeOnSignals(app: INestApplicationContext, name: string): void {
  const logger = new Logger(name);
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      logger.log(`${signal} received, shutting down`);
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      app
        .close()
        .then(() => process.exit(0))
        .catch((error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          process.exit(1);
        });
    });
  }
}

/** Load and validate the configuration, or print what is wrong (never a value) and exit. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadAppConfig();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
