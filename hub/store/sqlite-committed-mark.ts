import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/**
 * The committed mark: the highest event id the writer has committed, kept in `<file>-committed` beside the SQLite
 * file. Acknowledged events live only in the database file and its -wal; if either is deleted or replaced (a
 * restore from an old backup, a -wal removed after a crash), the database's ids fall below the mark, and the store
 * says so at start (log and /health) instead of carrying on as if nothing was lost. The mark is written after a
 * commit is durable, at most once a second, so it never claims more than was committed.
 */
export const committedMarkFile = (dbFile: string) => `${dbFile}-committed`;

/** The highest events id ever committed to this connection's database (AUTOINCREMENT never reuses one). */
export function committedId(conn: { prepare(sql: string): { get(): unknown } }): number {
  const row = conn.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as { seq: number } | undefined;
  return Number(row?.seq ?? 0);
}

export function writeCommittedMark(dbFile: string, id: number): void {
  const path = committedMarkFile(dbFile);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${id}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readCommittedMark(dbFile: string): number | null {
  const path = committedMarkFile(dbFile);
  if (!existsSync(path)) return null;
  const n = Number(readFileSync(path, 'utf8').trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** A warning when the database holds fewer committed ids than the mark says were committed; null when intact. */
export function lostEventsWarning(dbFile: string, id: number): string | null {
  const mark = readCommittedMark(dbFile);
  if (mark === null || mark <= id) return null;
  return `storage: events up to id ${mark} were committed, but ${dbFile} holds ids only up to ${id}: up to ${mark - id} acknowledged events are lost (the database file or its -wal was deleted or replaced)`;
}
