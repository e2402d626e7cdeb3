import cluster from 'node:cluster';
import { AppConfig, ConfigurationError, loadAppConfig } from '@kyc/config';
import { INestApplicationContext, Logger } from '@nestjs/common';

/**
 * Close the app on SIGTERM/SIGINT, once, then exit 0: readiness turns false, HTTP drains, BullMQ
 * workers finish their jobs (both bounded by SHUTDOWN_TIMEOUT_MS, after SHUTDOWN_DELAY_MS), then
 * the database and Redis close. Exit 1 if that fails or takes 5 s more than those bounds. Used
 * instead of Nest's enableShutdownHooks, which would close it a second time.
 */
export function closeOnSignals(app: INestApplicationContext, name: string): void {
  const logger = new Logger(name);
  const { SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS } = app.get(AppConfig).env;
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      if (closing) return;
      closing = true;
      logger.log(`${signal} received, shutting down`);
      const force = setTimeout(
        () => {
          logger.error('shutdown took too long, exiting');
          process.exit(1);
        },
        SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 5_000,
      );
      force.unref();
      app
        .close()
        .then(() => process.exit(0))
        .catch((error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          process.exit(1);
        });
    };
    // A gateway cluster process may get the signal twice (forwarded by the primary, and from a
    // terminal's Ctrl-C or a service manager signalling the whole group): a second must not end
    // its drain. A single process keeps Node's default for a second one (it ends the process).
    if (cluster.isWorker) process.on(signal, onSignal);
    else process.once(signal, onSignal);
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
