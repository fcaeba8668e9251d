import { Worker } from 'node:worker_threads';
import type { Logger } from '../../common/logger.js';
import type { Db } from './db.js';
import { createEventReads } from './event-reads.js';
import type { EventRow } from './event-row.js';
import type { EventStore } from './event-store.js';
import { writeEvents, type RowOutcome } from './event-write.js';
import { memoryRecentKeys } from './recent-keys.js';
import { committedId, lostEventsWarning } from './sqlite-committed-mark.js';
import { importLegacyStaging } from './sqlite-legacy-staging.js';
import type { WriterReply } from './sqlite-writer-thread.js';
import { withWriteTx, type SqliteConnection } from './write-tx.js';

/**
 * The writer thread of a SQLite file. A thread that dies fails its pending inserts (nothing of them is claimed)
 * and the next insert starts a new one. Failures come back as Errors carrying SQLite's code, so guardDb still maps
 * "busy"/"I/O error" to 503.
 */
function writerThread(file: string, logger: Logger) {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve(o: RowOutcome[]): void; reject(err: unknown): void }>();

  function start(): Worker {
    // The thread is TypeScript: a small .mjs bootstrap registers tsx's loader in the worker first.
    const w = new Worker(new URL('./sqlite-writer-boot.mjs', import.meta.url), { workerData: { file } });
    w.on('message', (reply: WriterReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else p.resolve(reply.outcomes);
    });
    w.on('error', (err) => logger.error({ event: 'sqlite_writer_error', err }, 'SQLite writer thread failed'));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      for (const [, p] of pending) p.reject(Object.assign(new Error(`SQLite writer thread exited (${code})`), { code: 'SQLITE_IOERR' }));
      pending.clear();
    });
    return w;
  }

  return {
    insert(rows: EventRow[]): Promise<RowOutcome[]> {
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, rows });
      });
    },
    async close(): Promise<void> {
      const w = worker;
      worker = null;
      if (!w) return;
      const exited = new Promise((r) => w.once('exit', r));
      w.postMessage('close');
      await exited;
    },
  };
}

/** Checks at open that no acknowledged event went missing; returns the warnings to keep in /health. */
async function openChecks(db: Db, file: string, logger: Logger): Promise<string[]> {
  const moved = importLegacyStaging(file);
  if (moved > 0) logger.warn({ event: 'legacy_staging_imported', events: moved }, 'events of an old staging file moved into the database');
  const client = db.knex.client as { acquireConnection(): Promise<SqliteConnection & { prepare(s: string): { get(): unknown } }>; releaseConnection(c: unknown): Promise<void> };
  const conn = await client.acquireConnection();
  let warning: string | null;
  try {
    warning = lostEventsWarning(file, committedId(conn));
  } finally {
    await client.releaseConnection(conn);
  }
  if (!warning) return [];
  logger.error({ event: 'storage_events_lost', file }, warning);
  return [warning];
}

/**
 * SQLite: one file, one writer. For a file, inserts run on a worker thread with its own connection (WAL lets the
 * hub's read connection share the file), so commits overlap with HTTP parsing and validation on the main thread.
 * `:memory:` (tests, tools) writes on the hub's own connection: a memory database has one connection.
 */
export async function createSqliteEventStore(db: Db, logger: Logger): Promise<EventStore> {
  const reads = createEventReads(db);
  const warnings = db.sqliteFile ? await openChecks(db, db.sqliteFile, logger) : [];
  const thread = db.sqliteFile ? writerThread(db.sqliteFile, logger) : null;
  // Without a thread, writes run on the hub's connection, one after another like the thread's.
  const recent = memoryRecentKeys();
  let chain: Promise<unknown> = Promise.resolve();
  const onConnection = (rows: EventRow[]) => {
    const run = chain.then(() => writeEvents((fn) => withWriteTx(db, fn), 'sqlite', recent, rows));
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    count: reads.count,
    window: reads.window,
    storeActivity: reads.storeActivity,
    insert(rows) {
      if (rows.length === 0) return Promise.resolve([]);
      return thread ? thread.insert(rows) : onConnection(rows);
    },
    inFlightGroups: thread ? 2 : 1,
    async health() {
      await reads.ping();
      return { warnings };
    },
    close: async () => thread?.close(),
  };
}
