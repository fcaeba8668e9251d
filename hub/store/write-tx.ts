import type { Knex } from 'knex';
import type { Db } from './db.js';

export type Binding = string | number | bigint | null;

/** `?,?,…` for n bindings. */
export const placeholders = (n: number) => Array(n).fill('?').join(',');

/** The two calls a write transaction needs; the same SQL (with `?` placeholders) runs on both databases. */
export interface WriteExec {
  /** Runs a statement that returns rows (SELECT, or INSERT … RETURNING). */
  all<T>(sql: string, bindings: readonly Binding[]): Promise<T[]>;
  /** Runs a statement; on SQLite also reports the rowid of the last row it inserted. */
  run(sql: string, bindings: readonly Binding[]): Promise<{ lastInsertRowid?: number }>;
}

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { lastInsertRowid: number | bigint };
}
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  defaultSafeIntegers?(on: boolean): void;
  readonly inTransaction?: boolean;
}

/** Advisory lock key of event-writing transactions on PostgreSQL (any constant unique to this project). */
export const EVENTS_WRITE_LOCK = 0x5157_0001;

const statementCache = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/** WriteExec over a better-sqlite3 connection, with a per-connection cache of prepared statements. */
export function sqliteExec(conn: SqliteConnection): WriteExec {
  let cache = statementCache.get(conn);
  if (!cache) statementCache.set(conn, (cache = new Map()));
  const stmt = (sql: string): SqliteStatement => {
    let s = cache!.get(sql);
    if (!s) {
      s = conn.prepare(sql);
      if (cache!.size > 64) cache!.clear();
      cache!.set(sql, s);
    }
    return s;
  };
  return {
    all: async <T>(sql: string, b: readonly Binding[]) => stmt(sql).all(...b) as T[],
    run: async (sql, b) => ({ lastInsertRowid: Number(stmt(sql).run(...b).lastInsertRowid) }),
  };
}

/**
 * Runs `fn` in one transaction on a better-sqlite3 connection. The calls of a sqliteExec are synchronous
 * underneath, so nothing else runs on that connection in between. BEGIN IMMEDIATE takes the write lock at once.
 */
export async function inSqliteTransaction<T>(conn: SqliteConnection, exec: WriteExec, fn: (exec: WriteExec) => Promise<T>): Promise<T> {
  conn.exec('BEGIN IMMEDIATE');
  try {
    const out = await fn(exec);
    conn.exec('COMMIT');
    return out;
  } catch (err) {
    if (conn.inTransaction !== false) conn.exec('ROLLBACK');
    throw err;
  }
}

function knexExec(trx: Knex.Transaction): WriteExec {
  const toPg = (b: readonly Binding[]) => b.map((v) => (typeof v === 'bigint' ? v.toString() : v));
  return {
    all: async <T>(sql: string, b: readonly Binding[]) => ((await trx.raw(sql, toPg(b))) as { rows: T[] }).rows,
    run: async (sql, b) => {
      await trx.raw(sql, toPg(b));
      return {};
    },
  };
}

/**
 * Runs `fn` in one write transaction. On SQLite it drives the better-sqlite3 connection directly with
 * cached prepared statements: knex re-parses a 7,000-parameter INSERT on every call, which cost more than
 * the insert itself (docs/CHOICES.md, "Ingest write path"). The pool has one connection, so holding it
 * keeps every other query out until COMMIT.
 */
export async function withWriteTx<T>(db: Db, fn: (exec: WriteExec) => Promise<T>): Promise<T> {
  if (db.dialect === 'pg') {
    return db.knex.transaction(async (trx) => {
      // Event writes from every hub replica take turns: ids are then assigned and committed in one order, so
      // "every id below the rollup watermark is visible" holds on PostgreSQL as it does with SQLite's single
      // writer (hub/store/rollup-fold.ts). Replicas still share consuming and validation; group commit
      // amortises the turn-taking (docs/CHOICES.md).
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [EVENTS_WRITE_LOCK]);
      return fn(knexExec(trx));
    });
  }
  const client = db.knex.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    return await inSqliteTransaction(conn, sqliteExec(conn), fn);
  } finally {
    await client.releaseConnection(conn);
  }
}
