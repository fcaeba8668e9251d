/**
 * Worker entry: the one writer of a hub's SQLite file. Each message is one insert group, committed in one
 * transaction (hub/store/event-write.ts), in arrival order; the main thread meanwhile parses and validates the next
 * requests. After commits it records the highest committed event id beside the file (sqlite-committed-mark.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { EventRow } from './event-row.js';
import { writeEvents, type RowOutcome } from './event-write.js';
import { memoryRecentKeys } from './recent-keys.js';
import { committedId, writeCommittedMark } from './sqlite-committed-mark.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { inSqliteTransaction, sqliteExec } from './write-tx.js';

export type WriterRequest = { id: number; rows: EventRow[] };
export type WriterReply = { id: number; outcomes: RowOutcome[] } | { id: number; error: { message: string; code?: string } };

/** How often at most the committed mark is rewritten: the window of commits a lost -wal could hide from detection. */
const MARK_EVERY_MS = 1000;

const file = (workerData as { file: string }).file;
/** WAL pages between checkpoints (4 KB each): fewer, larger checkpoints halve the commit time under ingest. */
const WAL_CHECKPOINT_PAGES = 16_000;

const conn = new Database(file);
applySqlitePragmas(conn);
conn.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
const exec = sqliteExec(conn);
const recent = memoryRecentKeys();
let chain: Promise<void> = Promise.resolve();
let markTimer: NodeJS.Timeout | null = null;

const mark = () => writeCommittedMark(file, committedId(conn));

async function handle(req: WriterRequest | 'close'): Promise<void> {
  if (req === 'close') {
    if (markTimer) clearTimeout(markTimer);
    mark();
    conn.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = { id: req.id, outcomes: await writeEvents((fn) => inSqliteTransaction(conn, exec, fn), 'sqlite', recent, req.rows) };
  } catch (err) {
    reply = { id: req.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } };
  }
  parentPort!.postMessage(reply);
  markTimer ??= setTimeout(() => {
    markTimer = null;
    mark();
  }, MARK_EVERY_MS);
}

parentPort!.on('message', (req: WriterRequest | 'close') => {
  chain = chain.then(() => handle(req));
});
