import type { DataSource } from 'typeorm';

/** One statement of a SqlSteps script: `?` placeholders; `lock` = the rows read stay locked until commit. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  lock?: boolean;
}

export type SqlRow = Record<string, unknown>;

/** A read-compute-write script written once for both databases: it yields statements and receives their rows. */
export type SqlSteps<T> = Generator<SqlStatement, T, SqlRow[]>;

interface BetterSqlite3Database {
  prepare(sql: string): { reader: boolean; all(...params: unknown[]): SqlRow[]; run(...params: unknown[]): unknown };
  transaction<F extends () => unknown>(fn: F): { immediate(): ReturnType<F> };
}

/**
 * Runs `steps` as one atomic, isolated transaction. PostgreSQL: a TypeORM transaction, `lock`
 * reads FOR UPDATE. SQLite: TypeORM shares one connection per process and yields between its
 * statements, so a TypeORM transaction there would take in the gateway's inserts (and lose them
 * on a rollback); the script instead runs synchronously on the driver's handle inside BEGIN
 * IMMEDIATE, which also serializes it against other processes.
 */
export async function runSqlSteps<T>(dataSource: DataSource, steps: () => SqlSteps<T>): Promise<T> {
  if (dataSource.options.type === 'postgres') {
    return dataSource.transaction(async (manager) => {
      const script = steps();
      let next = script.next();
      while (!next.done) {
        const { sql, params, lock } = next.value;
        let index = 0;
        const rows = (await manager.query(sql.replace(/\?/g, () => `$${++index}`) + (lock ? ' FOR UPDATE' : ''), params)) as unknown;
        next = script.next(Array.isArray(rows) && !Array.isArray(rows[0]) ? (rows as SqlRow[]) : []);
      }
      return next.value;
    });
  }
  const database = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3Database }).databaseConnection;
  return database
    .transaction(() => {
      const script = steps();
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
