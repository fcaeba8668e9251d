import Database from 'better-sqlite3';

/**
 * Read-only looks into a hub's SQLite file from a benchmark. Stored events are in events or, until the writer
 * thread folds them, in events_staged; one statement reads both in one snapshot, so a fold between the two
 * tables never makes an event count twice or not at all.
 */
function withFile<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Publish-to-row latency (received_at − ts) of every stored event, optionally of one store. */
export function storedLatencies(file: string, storeId?: string): number[] {
  const where = storeId ? ' WHERE store_id = ?' : '';
  return withFile(file, (db) =>
    (db.prepare(`SELECT received_at - ts AS l FROM events${where} UNION ALL SELECT received_at - ts FROM events_staged${where}`)
      .all(...(storeId ? [storeId, storeId] : [])) as { l: number }[]).map((r) => r.l));
}

export function storedCount(file: string): number {
  return withFile(file, (db) => (db.prepare('SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM events_staged) AS n').get() as { n: number }).n);
}

/** True when nothing is staged and the rollups have folded every event. */
export function isFolded(file: string): boolean {
  return withFile(file, (db) => {
    const r = db.prepare(`SELECT (SELECT COUNT(*) FROM events_staged) AS staged, (SELECT COALESCE(MAX(id), 0) FROM events) AS top,
      (SELECT last_event_row FROM rollup_state WHERE name = 'visitor_rollups') AS mark`).get() as { staged: number; top: number; mark: number };
    return r.staged === 0 && r.mark >= r.top;
  });
}
