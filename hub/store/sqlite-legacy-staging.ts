import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { EVENT_COLUMNS } from './event-row.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';

/**
 * Earlier versions committed events into a second file, `<file>-staging`, and moved them into the database later.
 * Events still there were acknowledged: move them into events (keeping their ids; they were de-duplicated when
 * staged), then remove the file. Returns how many were moved. The rollups pick them up from the watermark.
 */
export function importLegacyStaging(dbFile: string): number {
  const staging = `${dbFile}-staging`;
  if (!existsSync(staging)) return 0;
  const conn = new Database(dbFile);
  try {
    applySqlitePragmas(conn);
    conn.prepare('ATTACH DATABASE ? AS staging').run(staging);
    const hasTable = conn.prepare("SELECT 1 FROM staging.sqlite_master WHERE name = 'events_staged'").get();
    let moved = 0;
    if (hasTable) {
      const cols = EVENT_COLUMNS.join(', ');
      conn.transaction(() => {
        const { top } = conn.prepare('SELECT COALESCE(MAX(id), 0) AS top FROM events').get() as { top: number };
        moved = conn.prepare(`INSERT INTO events (id, ${cols}) SELECT id, ${cols} FROM staging.events_staged WHERE id > ? ORDER BY id`).run(top).changes;
        conn.prepare('INSERT OR IGNORE INTO event_keys (k, event_row) SELECT k, id FROM staging.events_staged WHERE id > ? ORDER BY k').run(top);
        conn.prepare(`INSERT INTO store_activity AS a (store_id, last_event_ts, last_received_at, event_count)
          SELECT store_id, MAX(ts), MAX(received_at), COUNT(*) FROM staging.events_staged WHERE id > ? GROUP BY store_id
          ON CONFLICT (store_id) DO UPDATE SET last_event_ts = MAX(a.last_event_ts, excluded.last_event_ts),
            last_received_at = MAX(a.last_received_at, excluded.last_received_at), event_count = a.event_count + excluded.event_count`).run(top);
      })();
    }
    conn.exec('DETACH DATABASE staging');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${staging}${suffix}`, { force: true });
    return moved;
  } finally {
    conn.close();
  }
}
