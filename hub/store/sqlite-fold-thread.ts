/**
 * Worker entry, the **folder**: owns the hub's SQLite file for event writes and runs the folds: staged events
 * (of the hub file and of the staging file, attached as `staging`) into events, event_keys and the rollups
 * (hub/store/rollup-repository.ts). It writes only the hub file, so it runs beside the stager's commits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { STAGED_TABLE_COLUMNS, stagingFileOf } from './event-staging.js';
import { foldStepWith } from './rollup-repository.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import type { WriterReply } from './sqlite-writer-thread.js';
import { inSqliteTransaction, sqliteExec } from './write-tx.js';

export type FolderRequest = { id: number; op: 'fold' };
export type FolderReply = { id: number; folded: number; upto: number } | Extract<WriterReply, { error: unknown }>;

const hubFile = (workerData as { file: string }).file;
const conn = new Database(hubFile);
applySqlitePragmas(conn);
conn.prepare('ATTACH DATABASE ? AS staging').run(stagingFileOf(hubFile));
conn.exec(`CREATE TABLE IF NOT EXISTS staging.events_staged (${STAGED_TABLE_COLUMNS})`);
const exec = sqliteExec(conn);

/** Folds until nothing is left; returns the events rolled up and the highest id moved from the staging file. */
async function foldAllNow(): Promise<{ folded: number; upto: number }> {
  let folded = 0;
  let upto = 0;
  for (;;) {
    const step = await inSqliteTransaction(conn, exec, (x) => foldStepWith(x, 'sqlite', { stagingFile: true }), 'BEGIN');
    folded += step.rolled;
    upto = Math.max(upto, step.upto);
    if (!step.more) return { folded, upto };
  }
}

parentPort!.on('message', async (req: FolderRequest | 'close') => {
  if (req === 'close') {
    conn.close();
    parentPort!.close();
    return;
  }
  try {
    parentPort!.postMessage({ id: req.id, ...(await foldAllNow()) } satisfies FolderReply);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: { message: (err as Error).message, code: (err as { code?: string }).code } } satisfies FolderReply);
  }
});
