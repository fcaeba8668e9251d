import { Worker } from 'node:worker_threads';
import type { Logger } from '../../common/logger.js';
import type { EventRow } from './event-repository.js';
import type { FolderReply } from './sqlite-fold-thread.js';
import { FOLD_STEP_EVENTS } from './rollup-repository.js';
import type { WriterReply } from './sqlite-writer-thread.js';

/** The fold runs once this many events are staged, and FOLD_IDLE_MS after inserts pause. */
const FOLD_AT_EVENTS = FOLD_STEP_EVENTS;
const FOLD_IDLE_MS = 50;

type Reply = WriterReply | FolderReply;

/** One worker thread and its request/reply bookkeeping; a dead thread fails its pending requests and restarts on use. */
function threadOf(file: string, entry: 'stager' | 'folder', logger: Logger) {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve(reply: Reply): void; reject(err: unknown): void }>();

  function start(): Worker {
    // The thread is TypeScript: a small .mjs bootstrap registers tsx's loader in the worker first.
    const w = new Worker(new URL('./sqlite-writer-boot.mjs', import.meta.url), { workerData: { file, entry } });
    w.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else p.resolve(reply);
    });
    w.on('error', (err) => logger.error({ event: 'sqlite_writer_error', thread: entry, err }, 'SQLite writer thread failed'));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      for (const [, p] of pending) p.reject(Object.assign(new Error(`SQLite ${entry} thread exited (${code})`), { code: 'SQLITE_IOERR' }));
      pending.clear();
    });
    return w;
  }

  return {
    send(op: Record<string, unknown>): Promise<Reply> {
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, ...op });
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

/**
 * Event writes of a SQLite file, on two worker threads (docs/CHOICES.md, "Ingest write path"):
 * - the **stager** commits ingest batches into the staging file (`<file>-staging`), taking every request waiting
 *   in its port into one transaction;
 * - the **folder** moves staged events into the hub file's events, event_keys and rollups; then the stager drops
 *   what was moved.
 * Each thread writes its own file, so a commit and a fold take different write locks and run on both cores at
 * once. Failures come back as Errors carrying SQLite's code, so guardDb still maps "busy"/"I/O error" to 503.
 */
export function createSqliteWriter(file: string, logger: Logger) {
  const stager = threadOf(file, 'stager', logger);
  const folder = threadOf(file, 'folder', logger);
  let chain: Promise<unknown> = Promise.resolve();
  let stagedSinceFold = 0;
  let idle: NodeJS.Timeout | null = null;

  async function foldOnce(): Promise<number> {
    const reply = (await folder.send({ op: 'fold' })) as Extract<FolderReply, { folded: number }>;
    if (reply.upto > 0) await stager.send({ op: 'forget', upto: reply.upto });
    return reply.folded;
  }

  /** Folds everything committed so far; passes run one at a time, each covering what committed before it began. */
  function fold(): Promise<number> {
    const run = chain.then(foldOnce, foldOnce);
    chain = run.catch(() => undefined);
    return run;
  }

  function background(): void {
    fold().catch((err: Error) => logger.warn({ event: 'fold_failed', err: err.message }, 'fold failed; the next one retries'));
  }

  function afterInsert(inserted: number): void {
    stagedSinceFold += inserted;
    if (idle) clearTimeout(idle);
    idle = null;
    if (stagedSinceFold >= FOLD_AT_EVENTS) {
      stagedSinceFold = 0;
      background();
    } else if (stagedSinceFold > 0) {
      idle = setTimeout(() => {
        idle = null;
        stagedSinceFold = 0;
        background();
      }, FOLD_IDLE_MS);
    }
  }

  return {
    async insertRows(rows: EventRow[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const reply = (await stager.send({ op: 'insert', rows })) as Extract<WriterReply, { inserted: string[] }>;
      afterInsert(reply.inserted.length);
      return new Set(reply.inserted);
    },
    /** Moves staged events into events and the rollups (hub/store/rollup-repository.ts); returns events folded. */
    fold,
    async close(): Promise<void> {
      if (idle) clearTimeout(idle);
      idle = null;
      await chain;
      await stager.close();
      await folder.close();
    },
  };
}
export type SqliteWriter = ReturnType<typeof createSqliteWriter>;
