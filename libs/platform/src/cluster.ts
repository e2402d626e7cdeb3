import cluster, { type Worker } from 'node:cluster';
import { AppConfig } from '@kyc/config';
import { createRootLogger, serveClusterScrapes } from '@kyc/observability';
import { databaseOptions, initializeDataSource } from '@kyc/persistence';
import type { Logger } from 'pino';

/** A process that dies is replaced after 1 s, doubling up to 30 s while replacements keep dying young. */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A process that lived this long died of something new: its replacement waits the shortest delay again. */
const STABLE_AFTER_MS = 60_000;
/** Beyond the children's own bound (SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 5 s, closeOnSignals). */
const SHUTDOWN_MARGIN_MS = 10_000;
const MIGRATION_ATTEMPTS = 3;

/**
 * The primary of a gateway run as GATEWAY_PROCESSES HTTP processes (node:cluster): it serves no
 * request itself. It runs the migrations once, then forks the children, which share PORT (the
 * primary accepts connections and hands them out round-robin) and run the gateway as a single
 * process does, each with its own database pool, Redis connections and graceful drain. It
 * replaces a child that dies, forwards SIGTERM/SIGINT to every child and exits once all have
 * drained (0 if all exited 0), and answers the children's /metrics with the sum of all of them.
 */
export async function runGatewayCluster(config: AppConfig): Promise<void> {
  const log = createRootLogger(config).child({ context: 'Cluster' });
  const size = config.env.GATEWAY_PROCESSES;
  // Once here, before the children boot at once: on SQLite, concurrent migrations would collide.
  if (config.env.DATABASE_MIGRATE) await migrate(config, log);

  const bornAt = new Map<number, number>();
  const listening = new Set<Worker>();
  const restarts = new Set<NodeJS.Timeout>();
  let started = false;
  let stopping = false;
  let youngDeaths = 0;
  let unclean = false;

  // Windows defaults to letting the OS pick; round-robin spreads connections evenly.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  serveClusterScrapes(() => listening);
  const fork = (): void => {
    // The children skip the migrations the primary ran.
    const worker = cluster.fork({ DATABASE_MIGRATE: 'false' });
    bornAt.set(worker.id, Date.now());
  };

  cluster.on('listening', (worker) => {
    listening.add(worker);
    log.info(`gateway process ${worker.process.pid} listening (${listening.size}/${size})`);
    if (!started && listening.size === size) {
      started = true;
      log.info(`${size} gateway processes serving http://localhost:${config.env.PORT}/webhooks`);
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker);
    const lived = Date.now() - (bornAt.get(worker.id) ?? 0);
    bornAt.delete(worker.id);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (stopping) {
      if (code !== 0) unclean = true;
      log.info(`gateway process ${worker.process.pid} exited (${how})`);
      if (bornAt.size === 0) process.exit(unclean ? 1 : 0);
      return;
    }
    if (!started && !wasListening) {
      // A boot that fails (unreachable database, invalid connection settings) fails the same way in every child.
      log.fatal(`gateway process ${worker.process.pid} exited while booting (${how}); stopping`);
      stopping = true;
      unclean = true;
      for (const id of bornAt.keys()) cluster.workers?.[id]?.process.kill('SIGTERM');
      if (bornAt.size === 0) process.exit(1);
      return;
    }
    youngDeaths = lived < STABLE_AFTER_MS ? youngDeaths + 1 : 1;
    const delay = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** (youngDeaths - 1));
    log.error(`gateway process ${worker.process.pid} exited unexpectedly (${how}) after ${Math.round(lived / 1000)} s; starting another in ${delay} ms`);
    const timer = setTimeout(() => {
      restarts.delete(timer);
      fork();
    }, delay);
    restarts.add(timer);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      // A second signal (a repeated Ctrl-C) changes nothing: the backstop below bounds the wait.
      if (stopping) return;
      stopping = true;
      log.info(`${signal} received, stopping ${bornAt.size} gateway processes`);
      restarts.forEach(clearTimeout);
      if (bornAt.size === 0) process.exit(0);
      for (const id of bornAt.keys()) cluster.workers?.[id]?.process.kill(signal);
      const { SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS } = config.env;
      setTimeout(
        () => {
          log.error('gateway processes still running after the shutdown bound: killing them');
          for (const id of bornAt.keys()) cluster.workers?.[id]?.process.kill('SIGKILL');
          process.exit(1);
        },
        SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + SHUTDOWN_MARGIN_MS,
      ).unref();
    });
  }

  log.info(`starting ${size} gateway processes`);
  for (let i = 0; i < size; i++) fork();
}

/** Bring the schema up to date (under PostgreSQL's advisory lock, as every process does), or exit 1. */
async function migrate(config: AppConfig, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const dataSource = await initializeDataSource(databaseOptions({ url: config.env.DATABASE_URL, migrate: true }));
      await dataSource.destroy();
      return;
    } catch (error) {
      if (attempt === MIGRATION_ATTEMPTS) {
        log.fatal(`database migrations failed: ${(error as Error).message}`);
        process.exit(1);
      }
      log.warn(`database migrations failed (attempt ${attempt} of ${MIGRATION_ATTEMPTS}), retrying in 1 s: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
