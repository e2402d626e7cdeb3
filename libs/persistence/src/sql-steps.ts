import type { DataSource, QueryRunner } from 'typeorm';

/**
 * One statement of a SqlSteps script: `?` placeholders; `lock` = the rows read stay locked until
 * commit. `standalone`: atomic on its own and holding no lock, so on PostgreSQL it runs outside
 * the transaction while none has begun (the transaction begins at the first other statement): a
 * script whose statements are all standalone costs no BEGIN and COMMIT round trips.
 */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  lock?: boolean;
  standalone?: boolean;
}

export type SqlDialect = 'postgres' | 'sqlite';

export type SqlRow = Record<string, unknown>;

/** A read-compute-write script written once for both databases: it yields statements and receives their rows. */
export type SqlSteps<T> = Generator<SqlStatement, T, SqlRow[]>;

interface BetterSqlite3Database {
  prepare(sql: string): { reader: boolean; all(...params: unknown[]): SqlRow[]; run(...params: unknown[]): unknown };
  transaction<F extends () => unknown>(fn: F): { immediate(): ReturnType<F> };
}

/**
 * Runs `steps` as one atomic, isolated transaction, except that on PostgreSQL the standalone
 * statements that come before any other run each on its own; `lock` reads FOR UPDATE there.
 * SQLite: TypeORM shares one connection per process and yields between its statements, so a
 * TypeORM transaction there would take in the gateway's inserts (and lose them on a rollback);
 * the script instead runs synchronously on the driver's handle inside BEGIN IMMEDIATE, which also
 * serializes it against other processes.
 */
export async function runSqlSteps<T>(dataSource: DataSource, steps: (dialect: SqlDialect) => SqlSteps<T>): Promise<T> {
  if (dataSource.options.type === 'postgres') return runOnPostgres(dataSource, steps('postgres'));
  const database = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3Database }).databaseConnection;
  return database
    .transaction(() => {
      const script = steps('sqlite');
      let next = script.next();
      while (!next.done) {
        const statement = database.prepare(next.value.sql);
        // better-sqlite3 binds no booleans.
        const params = next.value.params.map((value) => (typeof value === 'boolean' ? Number(value) : value));
        next = script.next(statement.reader ? statement.all(...params) : (statement.run(...params), []));
      }
      return next.value;
    })
    .immediate();
}

/** The script's statements in order; the transaction begins at its first statement that is not standalone. */
async function runOnPostgres<T>(dataSource: DataSource, script: SqlSteps<T>): Promise<T> {
  let transaction: QueryRunner | undefined;
  try {
    let next = script.next();
    while (!next.done) {
      const { sql, params, lock, standalone } = next.value;
      if (!standalone && !transaction) {
        transaction = dataSource.createQueryRunner();
        await transaction.connect();
        await transaction.startTransaction();
      }
      let index = 0;
      const rows = (await (transaction ?? dataSource.manager).query(sql.replace(/\?/g, () => `$${++index}`) + (lock ? ' FOR UPDATE' : ''), params)) as unknown;
      next = script.next(Array.isArray(rows) && !Array.isArray(rows[0]) ? (rows as SqlRow[]) : []);
    }
    await transaction?.commitTransaction();
    return next.value;
  } catch (error) {
    if (transaction?.isTransactionActive) await transaction.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await transaction?.release();
  }
}
