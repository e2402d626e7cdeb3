import { dirname, resolve } from 'node:path';
import { ensurePrivateDirectory, ensurePrivateFile } from '@kyc/core';
import { Client, type ClientConfig } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DatabaseSettings {
  /** `sqlite:<path>` (or `sqlite::memory:`) or `postgres://...` */
  url: string;
  /** Run pending migrations at boot (`initializeDataSource` does it under a lock). */
  migrate: boolean;
  /** PostgreSQL: cancel a statement running longer than this (0 or unset: never). Migrations run without it. */
  statementTimeoutMs?: number;
}

/** TypeORM options for the two supported databases; schema only ever changes through migrations. */
export function databaseOptions({ url, migrate, statementTimeoutMs = 0 }: DatabaseSettings): DataSourceOptions {
  // `migrationsRun` is read by `initializeDataSource`, which runs them under a lock itself.
  const common = { entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: migrate, synchronize: false, logging: false } as const;
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    const database = path === ':memory:' ? path : resolve(path);
    if (database !== ':memory:') {
      // Created private (folder 0700, file 0600) before SQLite opens it: SQLite gives its -wal and
      // -shm files the database file's mode. An existing file or folder keeps the operator's mode.
      ensurePrivateDirectory(dirname(database));
      ensurePrivateFile(database);
    }
    return {
      ...common,
      type: 'better-sqlite3',
      database,
      // WAL lets readers run beside the writer; synchronous=FULL makes every acknowledged webhook
      // survive a power loss, not only a process crash.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        db.pragma('busy_timeout = 5000');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url,
    // Fail fast when PostgreSQL is unreachable or hangs (a held lock, a stuck server, a dead peer)
    // so the ingress answers 503 instead of hanging: the server cancels a statement past the
    // timeout, the client gives up a little later if even that answer never comes, and TCP
    // keepalive notices a peer that vanished without closing the connection.
    extra: {
      max: 20,
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
      Client: GuardedClient,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS } : {}),
    },
  };
}

/**
 * A pg client that always has an 'error' listener. pg-pool removes its own listener when it hands
 * out a newly connected client, and TypeORM attaches its listener only a microtask later; a FATAL
 * message arriving in the same socket read as the connection's ReadyForQuery (the server
 * terminating backends: pg_terminate_backend, a failover, a restart) was emitted on a client with
 * no listener at all, and Node ended the process. The fault-injection suite found it (a worker
 * died with "Unhandled 'error' event ... terminating connection due to administrator command").
 * This listener only keeps the process alive: the client is marked unusable, its next query fails
 * (503 at the ingress, a retried job in the worker) and the pool discards it on release.
 */
export class GuardedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
    // pg rejects a query after query_timeout but leaves the client waiting for the server's answer,
    // in the pool: every later query on it would wait too. The server never answered (that is why
    // the timeout fired, statement_timeout coming first otherwise), so the connection is given up.
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    Object.assign(this, {
      query: (...args: unknown[]) => {
        const result = query(...args);
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            if (error instanceof Error && error.message === 'Query read timeout') this.connection.stream.destroy();
          });
        }
        return result;
      },
    });
  }
}

/** Client-side backstop beyond the server's statement_timeout: the server's cancellation normally comes first. */
const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/** Arbitrary constant for pg_advisory_lock: several gateways and workers may boot at once. */
const MIGRATION_LOCK_ID = 724_190_311;

/** Open the data source and, if asked, bring the schema up to date before anything queries it. */
export async function initializeDataSource(options: DataSourceOptions): Promise<DataSource> {
  if (options.type === 'postgres' && options.migrationsRun) await migratePostgres(options);
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  if (options.type !== 'postgres' && options.migrationsRun) await dataSource.runMigrations({ transaction: 'all' });
  return dataSource;
}

/**
 * Migrations on a connection of their own, without the statement timeouts: waiting for another
 * process's migration lock, or a long index build, must not be cancelled.
 */
async function migratePostgres(options: PostgresConnectionOptions): Promise<void> {
  const extra = { ...(options.extra as Record<string, unknown>), max: 2, statement_timeout: undefined, query_timeout: undefined };
  const dataSource = await new DataSource({ ...options, migrationsRun: false, extra }).initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}
