/**
 * Worker entry: owns one SQLite connection and runs event write transactions, so that the hub's main thread
 * (HTTP, JSON parsing, validation) and the writes use both cores (docs/CHOICES.md, "Ingest write path").
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { insertRowsWith, type EventRow } from './event-repository.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { sqliteExec } from './write-tx.js';

export interface WriteRequest {
  id: number;
  rows: EventRow[];
}
export type WriteReply = { id: number; inserted: string[] } | { id: number; error: { message: string; code?: string } };

const conn = new Database((workerData as { file: string }).file);
applySqlitePragmas(conn);
const exec = sqliteExec(conn);

parentPort!.on('message', async (req: WriteRequest | 'close') => {
  if (req === 'close') {
    conn.close();
    parentPort!.close();
    return;
  }
  try {
    conn.exec('BEGIN IMMEDIATE');
    try {
      const inserted = await insertRowsWith(exec, req.rows);
      conn.exec('COMMIT');
      parentPort!.postMessage({ id: req.id, inserted: [...inserted] } satisfies WriteReply);
    } catch (err) {
      if (conn.inTransaction) conn.exec('ROLLBACK');
      throw err;
    }
  } catch (err) {
    const e = err as { message: string; code?: string };
    parentPort!.postMessage({ id: req.id, error: { message: e.message, code: e.code } } satisfies WriteReply);
  }
});
