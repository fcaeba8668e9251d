import { Worker } from 'node:worker_threads';
import type { Logger } from '../../common/logger.js';
import type { EventRow } from './event-repository.js';
import type { WriteReply, WriteRequest } from './sqlite-writer-thread.js';

type Op = { op: 'insert'; rows: EventRow[] } | { op: 'fold' };

/**
 * Runs event write transactions (ingest commits and folds) on a worker thread with its own connection to the
 * SQLite file. Failures come back as Errors carrying SQLite's code, so guardDb still maps "busy"/"I/O error" to
 * 503. If the thread dies, the pending writes fail (nothing is claimed) and the next write starts a new thread.
 */
export function createSqliteWriter(file: string, logger: Logger) {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve(reply: WriteReply): void; reject(err: unknown): void }>();

  function start(): Worker {
    // The thread is TypeScript: a small .mjs bootstrap registers tsx's loader in the worker first.
    const w = new Worker(new URL('./sqlite-writer-boot.mjs', import.meta.url), { workerData: { file } });
    w.on('message', (reply: WriteReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else p.resolve(reply);
    });
    w.on('error', (err) => logger.error({ event: 'sqlite_writer_error', err }, 'SQLite writer thread failed'));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      for (const [, p] of pending) p.reject(Object.assign(new Error(`SQLite writer thread exited (${code})`), { code: 'SQLITE_IOERR' }));
      pending.clear();
    });
    return w;
  }

  function send(op: Op): Promise<WriteReply> {
    worker ??= start();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker!.postMessage({ id, ...op } satisfies WriteRequest);
    });
  }

  return {
    async insertRows(rows: EventRow[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const reply = await send({ op: 'insert', rows });
      return new Set('inserted' in reply ? reply.inserted : []);
    },
    /** Moves staged events into events and the rollups (hub/store/rollup-repository.ts); returns events folded. */
    async fold(): Promise<number> {
      const reply = await send({ op: 'fold' });
      return 'folded' in reply ? reply.folded : 0;
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
export type SqliteWriter = ReturnType<typeof createSqliteWriter>;
