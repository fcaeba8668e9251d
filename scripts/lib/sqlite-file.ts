import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Read-only looks into a hub's SQLite file from a benchmark. A stored event is in the hub file's events, or not
 * folded yet: in the staging file of the writer threads (`<file>-staging`, hub/store/sqlite-writer.ts) or in the
 * hub file's own events_staged. Rows the fold has moved stay in the staging file until the stager drops them, so
 * staged rows count only above the highest folded id.
 */
function withFile<T>(file: string, fn: (db: Database.Database, staged: string) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    const staging = `${file}-staging`;
    if (!existsSync(staging)) return fn(db, 'SELECT * FROM main.events_staged');
    db.prepare('ATTACH DATABASE ? AS staging').run(staging);
    return fn(db, `SELECT * FROM main.events_staged UNION ALL
      SELECT * FROM staging.events_staged WHERE id > (SELECT COALESCE(MAX(id), 0) FROM main.events)`);
  } finally {
    db.close();
  }
}

/** Publish-to-row latency (received_at − ts) of every stored event, optionally of one store. */
export function storedLatencies(file: string, storeId?: string): number[] {
  const where = storeId ? ' WHERE store_id = ?' : '';
  return withFile(file, (db, staged) =>
    (db.prepare(`SELECT received_at - ts AS l FROM main.events${where} UNION ALL SELECT received_at - ts FROM (${staged})${where}`)
      .all(...(storeId ? [storeId, storeId] : [])) as { l: number }[]).map((r) => r.l));
}

export function storedCount(file: string): number {
  return withFile(file, (db, staged) => (db.prepare(`SELECT (SELECT COUNT(*) FROM main.events) + (SELECT COUNT(*) FROM (${staged})) AS n`).get() as { n: number }).n);
}

/** True when nothing is staged and the rollups have folded every event. */
export function isFolded(file: string): boolean {
  return withFile(file, (db, staged) => {
    const r = db.prepare(`SELECT (SELECT COUNT(*) FROM (${staged})) AS staged, (SELECT COALESCE(MAX(id), 0) FROM main.events) AS top,
      (SELECT last_event_row FROM rollup_state WHERE name = 'visitor_rollups') AS mark`).get() as { staged: number; top: number; mark: number };
    return r.staged === 0 && r.mark >= r.top;
  });
}

/** event_id and received_at of every stored event matching `where` (column = value), folded or not. */
export function storedIds(file: string, where: Record<string, string> = {}): { event_id: string; received_at: number }[] {
  const keys = Object.keys(where);
  const cond = keys.length ? ` WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}` : '';
  return withFile(file, (db, staged) =>
    db.prepare(`SELECT event_id, received_at FROM main.events${cond} UNION ALL SELECT event_id, received_at FROM (${staged})${cond}`)
      .all(...Object.values(where), ...Object.values(where)) as { event_id: string; received_at: number }[]);
}
