import Database from 'better-sqlite3';
import { FOLD_EVERY_EVENTS } from '../../hub/store/rollup-fold.js';

/**
 * Read-only looks into a hub's SQLite file from a benchmark or a test. Every acknowledged event is in `events`
 * (hub/store/event-write.ts), so these read one table.
 */
function withFile<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const whereOf = (where: Record<string, string>) => {
  const keys = Object.keys(where);
  return keys.length ? ` WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}` : '';
};

/** Publish-to-row latency (received_at − ts) of every stored event, optionally of one store. */
export function storedLatencies(file: string, storeId?: string): number[] {
  const where: Record<string, string> = storeId ? { store_id: storeId } : {};
  return withFile(file, (db) =>
    (db.prepare(`SELECT received_at - ts AS l FROM events${whereOf(where)}`).all(...Object.values(where)) as { l: number }[]).map((r) => r.l));
}

export function storedCount(file: string): number {
  return withFile(file, (db) => (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n);
}

/**
 * True when the events past the rollups' watermark are fewer than FOLD_EVERY_EVENTS: the fold is keeping up, since
 * writes fold as soon as that many wait (reads add those events themselves, so answers are exact either way).
 */
export function isFolded(file: string): boolean {
  return withFile(file, (db) => {
    const r = db.prepare(`SELECT (SELECT COALESCE(MAX(id), 0) FROM events) AS top,
      (SELECT COALESCE(MAX(last_event_row), 0) FROM rollup_state WHERE name = 'visitor_rollups') AS mark`).get() as { top: number; mark: number };
    return r.top - r.mark < FOLD_EVERY_EVENTS;
  });
}

/** event_id and received_at of every stored event matching `where` (column = value). */
export function storedIds(file: string, where: Record<string, string> = {}): { event_id: string; received_at: number }[] {
  return withFile(file, (db) =>
    db.prepare(`SELECT event_id, received_at FROM events${whereOf(where)}`).all(...Object.values(where)) as { event_id: string; received_at: number }[]);
}
