/**
 * Worker entry, the **stager**: owns the staging file of a hub's SQLite file (hub/store/sqlite-writer.ts) and runs
 * every ingest commit there, with the hub file attached as `hub` for the key lookups. Commits therefore take the
 * staging file's write lock only, and the fold thread writes the hub file at the same time on the other core.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { insertRowsWith, type EventRow } from './event-repository.js';
import { forgetStagedWith, STAGED_TABLE_COLUMNS, STAGING_FILE, stagingFileOf } from './event-staging.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { inSqliteTransaction, sqliteExec, type WriteExec } from './write-tx.js';

export type StagerRequest = { id: number; op: 'insert'; rows: EventRow[] } | { id: number; op: 'forget'; upto: number };
export type WriterReply = { id: number; inserted: string[] } | { id: number; done: true } | { id: number; error: { message: string; code?: string } };

const hubFile = (workerData as { file: string }).file;
const conn = new Database(stagingFileOf(hubFile));
applySqlitePragmas(conn);
conn.prepare('ATTACH DATABASE ? AS hub').run(hubFile);
conn.exec(`CREATE TABLE IF NOT EXISTS events_staged (${STAGED_TABLE_COLUMNS})`);
// A new staging file continues the hub's ids (the fold keeps them, so the rollup watermark stays exact).
conn.exec(`INSERT INTO sqlite_sequence (name, seq) SELECT 'events_staged', MAX(
    COALESCE((SELECT MAX(id) FROM hub.events), 0), COALESCE((SELECT seq FROM hub.sqlite_sequence WHERE name = 'events'), 0),
    COALESCE((SELECT seq FROM hub.sqlite_sequence WHERE name = 'events_staged'), 0))
  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events_staged')`);
const exec = sqliteExec(conn);
const tx = <T>(fn: (x: WriteExec) => Promise<T>) => inSqliteTransaction(conn, exec, fn, 'BEGIN');

type Insert = Extract<StagerRequest, { op: 'insert' }>;
const errorOf = (err: unknown) => ({ message: (err as Error).message, code: (err as { code?: string }).code });

/**
 * Group commit on this side of the channel: every insert request already waiting in the port joins one
 * transaction, so the thread never idles while the main thread is busy parsing the next request. Requests are
 * stored in arrival order; an id repeated in a later request of the group is that request's duplicate.
 */
async function insertGroup(group: Insert[]): Promise<WriterReply[]> {
  try {
    return await tx(async (x) => {
      const out: WriterReply[] = [];
      for (const req of group) out.push({ id: req.id, inserted: [...(await insertRowsWith(x, 'sqlite', req.rows, STAGING_FILE))] });
      return out;
    });
  } catch (err) {
    return group.map((req) => ({ id: req.id, error: errorOf(err) }));
  }
}

async function handle(batch: (StagerRequest | 'close')[]): Promise<void> {
  let inserts: Insert[] = [];
  const flush = async () => {
    if (inserts.length > 0) for (const reply of await insertGroup(inserts)) parentPort!.postMessage(reply);
    inserts = [];
  };
  for (const req of batch) {
    if (req !== 'close' && req.op === 'insert') {
      inserts.push(req);
      continue;
    }
    await flush();
    if (req === 'close') {
      conn.close();
      parentPort!.close();
      return;
    }
    const upto = req.upto;
    const reply = await tx((x) => forgetStagedWith(x, upto)).then((): WriterReply => ({ id: req.id, done: true }), (err): WriterReply => ({ id: req.id, error: errorOf(err) }));
    parentPort!.postMessage(reply);
  }
  await flush();
}

parentPort!.on('message', (first: StagerRequest | 'close') => {
  const batch = [first];
  for (let m = receiveMessageOnPort(parentPort!); m; m = receiveMessageOnPort(parentPort!)) batch.push(m.message as StagerRequest | 'close');
  void handle(batch);
});
