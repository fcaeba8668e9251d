/**
 * Worker entry: owns one SQLite connection and runs every event write transaction (ingest commits and the folds
 * that move staged events into events and the rollups), so that the hub's main thread (HTTP, JSON parsing,
 * validation) and the writes use both cores (docs/CHOICES.md, "Ingest write path").
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { insertRowsWith, type EventRow } from './event-repository.js';
import { FOLD_STEP_EVENTS, foldAll, foldStepWith } from './rollup-repository.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { rollback, sqliteExec, type WriteExec } from './write-tx.js';

export type WriteRequest = { id: number; op: 'insert'; rows: EventRow[] } | { id: number; op: 'fold' };
export type WriteReply =
  | { id: number; inserted: string[] }
  | { id: number; folded: number }
  | { id: number; error: { message: string; code?: string } };

/**
 * When the thread folds on its own: once this many rows are staged (one fold step's worth, so each step is a
 * full, well-amortised batch), and when inserts pause for FOLD_IDLE_MS (so a burst is folded soon after it ends,
 * and readers rarely wait). Analytics queries still ask for a fold first (hub/store/rollup-repository.ts).
 */
const FOLD_AT_ROWS = FOLD_STEP_EVENTS;
const FOLD_IDLE_MS = 50;

const conn = new Database((workerData as { file: string }).file);
applySqlitePragmas(conn);
const exec = sqliteExec(conn);

/** One transaction; better-sqlite3 is synchronous, so no other message runs in between. */
async function inTransaction<T>(fn: (exec: WriteExec) => Promise<T>): Promise<T> {
  conn.exec('BEGIN IMMEDIATE');
  try {
    const out = await fn(exec);
    conn.exec('COMMIT');
    return out;
  } catch (err) {
    rollback(conn, exec);
    throw err;
  }
}

type Insert = Extract<WriteRequest, { op: 'insert' }>;

/**
 * Group commit on this side of the channel: every insert request already waiting in the port joins one
 * transaction, so the thread never idles while the main thread is busy parsing the next request. Requests are
 * stored in arrival order; an id repeated in a later request of the group is that request's duplicate.
 */
async function insertGroup(group: Insert[]): Promise<WriteReply[]> {
  try {
    return await inTransaction(async (x) => {
      const out: WriteReply[] = [];
      for (const req of group) out.push({ id: req.id, inserted: [...(await insertRowsWith(x, 'sqlite', req.rows))] });
      return out;
    });
  } catch (err) {
    const e = err as { message: string; code?: string };
    return group.map((req) => ({ id: req.id, error: { message: e.message, code: e.code } }));
  }
}

async function fold(id: number): Promise<WriteReply> {
  try {
    return { id, folded: await foldAll(() => inTransaction((x) => foldStepWith(x, 'sqlite'))) };
  } catch (err) {
    const e = err as { message: string; code?: string };
    return { id, error: { message: e.message, code: e.code } };
  }
}

let stagedSinceFold = 0;
let idleFold: NodeJS.Timeout | null = null;
let closed = false;

/** Folds everything staged; errors are left for the next fold request to report. */
async function foldNow(): Promise<void> {
  if (idleFold) clearTimeout(idleFold);
  idleFold = null;
  if (closed) return;
  const r = await fold(0);
  if (!('error' in r)) stagedSinceFold = 0;
}

/** One full fold step under load; the remainder waits for the next step or the idle fold. */
async function foldStep(): Promise<void> {
  try {
    await inTransaction((x) => foldStepWith(x, 'sqlite'));
    stagedSinceFold = 0;
  } catch {
    // Left for the next fold request, which reports it.
  }
}

async function afterInserts(inserted: number): Promise<void> {
  stagedSinceFold += inserted;
  if (stagedSinceFold >= FOLD_AT_ROWS) await foldStep();
  if (idleFold) clearTimeout(idleFold);
  idleFold = stagedSinceFold > 0 ? setTimeout(() => void foldNow(), FOLD_IDLE_MS) : null;
}

async function handle(batch: (WriteRequest | 'close')[]): Promise<void> {
  let inserts: Insert[] = [];
  const flush = async () => {
    if (inserts.length === 0) return;
    let inserted = 0;
    for (const reply of await insertGroup(inserts)) {
      if ('inserted' in reply) inserted += reply.inserted.length;
      parentPort!.postMessage(reply);
    }
    inserts = [];
    await afterInserts(inserted);
  };
  for (const req of batch) {
    if (req !== 'close' && req.op === 'insert') {
      inserts.push(req);
      continue;
    }
    await flush();
    if (req === 'close') {
      closed = true;
      if (idleFold) clearTimeout(idleFold);
      conn.close();
      parentPort!.close();
      return;
    }
    parentPort!.postMessage(await fold(req.id));
    stagedSinceFold = 0;
  }
  await flush();
}

parentPort!.on('message', (first: WriteRequest | 'close') => {
  const batch = [first];
  for (let m = receiveMessageOnPort(parentPort!); m; m = receiveMessageOnPort(parentPort!)) batch.push(m.message as WriteRequest | 'close');
  void handle(batch);
});
