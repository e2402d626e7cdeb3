import type { EntityManager, ObjectLiteral, Repository } from 'typeorm';

export interface BulkInsertOptions {
  /** Name of a unique index: rows that would violate it are skipped (ON CONFLICT DO NOTHING). */
  skipConflictsOn?: string;
}

/** Rows per statement: at 15 columns, far below PostgreSQL's 65,535 and SQLite's 32,766 parameters. */
export const MAX_ROWS_PER_STATEMENT = 500;

/**
 * Multi-row INSERTs built from the entity's metadata (column names and transformers), for the
 * hot paths: TypeORM's insert builder costs tens of microseconds per row, this is a string join.
 * Returns the primary keys of the rows inserted.
 */
export async function bulkInsert<Entity extends ObjectLiteral>(repository: Repository<Entity>, rows: Entity[], options: BulkInsertOptions = {}): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += MAX_ROWS_PER_STATEMENT) {
    for (const id of await insertChunk(repository, rows.slice(start, start + MAX_ROWS_PER_STATEMENT), options)) inserted.add(id);
  }
  return inserted;
}

async function insertChunk<Entity extends ObjectLiteral>(repository: Repository<Entity>, rows: Entity[], options: BulkInsertOptions): Promise<string[]> {
  const { sql, params } = insertStatement(repository, rows, options);
  const returned: Array<Record<string, string>> = await repository.manager.query(sql, params);
  const [primary] = repository.metadata.primaryColumns;
  return returned.map((row) => row[primary.databaseName]);
}

/** One multi-row INSERT of `rows` (at most MAX_ROWS_PER_STATEMENT), returning the primary keys of those inserted. */
export function insertStatement<Entity extends ObjectLiteral>(repository: Repository<Entity>, rows: Entity[], { skipConflictsOn }: BulkInsertOptions = {}): { sql: string; params: unknown[] } {
  const { metadata, manager } = repository;
  const driver = manager.connection.driver;
  const names = (columns: { databaseName: string }[]) => columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const parameters: unknown[] = [];
  const tuples = rows.map((row) => {
    const placeholders = metadata.columns.map((column) => {
      // The driver's own conversion (transformers, booleans, dates), as TypeORM's insert does.
      parameters.push(driver.preparePersistentValue(column.getEntityValue(row), column) ?? null);
      return driver.createParameter(`p${parameters.length}`, parameters.length - 1);
    });
    return `(${placeholders.join(', ')})`;
  });
  let conflict = '';
  if (skipConflictsOn !== undefined) {
    const index = metadata.indices.find((candidate) => candidate.name === skipConflictsOn);
    if (!index?.isUnique) throw new Error(`${metadata.tableName} has no unique index ${skipConflictsOn}`);
    conflict = ` ON CONFLICT (${names(index.columns)}) DO NOTHING`;
  }
  const [primary] = metadata.primaryColumns;
  return {
    sql: `INSERT INTO ${driver.escape(metadata.tableName)} (${names(metadata.columns)}) VALUES ${tuples.join(', ')}${conflict} RETURNING ${driver.escape(primary.databaseName)}`,
    params: parameters,
  };
}

/**
 * Run `work` in one transaction (one commit) on PostgreSQL. On SQLite, TypeORM shares a single
 * connection across the process: a transaction there would take in every other statement issued
 * meanwhile (the gateway's webhook inserts, in the all-in-one process) and could roll them back
 * after they were acknowledged. There the statements run one by one, each committed, in the
 * order given, which callers keep crash-safe on their own.
 */
export function inOneCommit<T>(manager: EntityManager, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return manager.connection.options.type === 'postgres' ? manager.transaction(work) : work(manager);
}

/**
 * PostgreSQL: rows as one JSON parameter that `json_populate_recordset` turns back into rows of
 * the table's own column types. One parameter however many rows (no 65,535-parameter limit, no
 * per-value encoding by the driver), so several writes fit in one statement, hence one round trip.
 * `select` reads the rows (alias `alias`); `columns` lists them for the INSERT.
 */
export function jsonRowSource<Entity extends ObjectLiteral>(repository: Repository<Entity>, rows: Entity[], parameter: string, alias: string): { columns: string; select: string; json: string } {
  const { metadata, manager } = repository;
  const driver = manager.connection.driver;
  const table = driver.escape(metadata.tableName);
  const json = JSON.stringify(
    rows.map((row) => Object.fromEntries(metadata.columns.map((column) => [column.databaseName, driver.preparePersistentValue(column.getEntityValue(row), column) ?? null]))),
  );
  const columns = metadata.columns.map((column) => driver.escape(column.databaseName));
  return {
    columns: columns.join(', '),
    select: `SELECT ${columns.map((column) => `${alias}.${column}`).join(', ')} FROM json_populate_recordset(NULL::${table}, ${parameter}::json) AS ${alias}`,
    json,
  };
}
