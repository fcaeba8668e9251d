import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { AppError } from '../../common/errors.js';
import { migrationSource } from './migrations.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';

// node-pg returns BIGINT as strings by default; our BIGINTs are epoch milliseconds, well inside 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export type Dialect = 'sqlite' | 'pg';

export interface Db {
  knex: Knex;
  dialect: Dialect;
  /** SQLite file path (null for :memory: and PostgreSQL): the event store's writer thread opens its own connection. */
  sqliteFile: string | null;
  close(): Promise<void>;
}

function sqliteConfig(path: string): Knex.Config {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename: path },
    useNullAsDefault: true,
    // One connection: SQLite has one writer anyway, and :memory: must be one database.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        applySqlitePragmas(conn);
        done(null, conn);
      },
    },
  };
}

function pgConfig(url: string, schema: string | undefined): Knex.Config {
  return {
    client: 'pg',
    connection: url,
    searchPath: schema ? [schema] : undefined,
    pool: { min: 0, max: 10, acquireTimeoutMillis: 5000 },
    acquireConnectionTimeout: 5000,
  };
}

/** Parses DATABASE_URL: `sqlite:<path>`, `sqlite::memory:`, `postgres://…` / `postgresql://…`. */
export function knexConfigFor(url: string, schema?: string): { config: Knex.Config; dialect: Dialect } {
  if (url.startsWith('sqlite:')) return { config: sqliteConfig(url.slice('sqlite:'.length) || ':memory:'), dialect: 'sqlite' };
  if (/^postgres(ql)?:\/\//.test(url)) return { config: pgConfig(url, schema), dialect: 'pg' };
  throw new AppError('CONFIG_INVALID', `DATABASE_URL must start with sqlite: or postgres:// (got "${url.slice(0, 40)}")`);
}

/** Opens the database and brings its schema up to date (migrations run at every start). */
export async function openDb(url: string, schema?: string): Promise<Db> {
  const { config, dialect } = knexConfigFor(url, schema);
  const knex = knexFactory(config);
  try {
    if (dialect === 'pg' && schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    await knex.migrate.latest({ migrationSource, schemaName: dialect === 'pg' ? schema : undefined });
  } catch (err) {
    await knex.destroy();
    throw new AppError('DB_UNAVAILABLE', `cannot open database: ${(err as Error).message}`, undefined, { cause: err });
  }
  const file = dialect === 'sqlite' ? url.slice('sqlite:'.length) || ':memory:' : null;
  return { knex, dialect, sqliteFile: file && file !== ':memory:' ? file : null, close: () => knex.destroy() };
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', // pg: admin shutdown, cannot connect, connection failure
  'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_FULL', 'SQLITE_READONLY',
]);

/** True when an error means "the database cannot be reached now", as opposed to a bug in a query. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | null;
  if (!e) return false;
  if (e.name === 'KnexTimeoutError') return true;
  if (e.code && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('SQLITE_IOERR'))) return true;
  return /Connection terminated|connection is closed|Unable to acquire a connection|The database connection is not open/i.test(
    e.message ?? '',
  );
}

/** Runs a database call, turning "cannot reach it" into AppError DB_UNAVAILABLE (→ 503 with Retry-After). */
export async function guardDb<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUnavailable(err)) {
      throw new AppError('DB_UNAVAILABLE', 'database unavailable', undefined, { cause: err });
    }
    throw err;
  }
}
