import type { Db, Dialect } from './db.js';
import { EVENT_COLUMNS as COLUMNS, eventKey, type EventRow } from './event-row.js';
import { LOCAL_STAGING, stageRowsWith, type StagingPlace } from './event-staging.js';
import { withWriteTx, type Binding, type WriteExec } from './write-tx.js';

export { eventKey, toRow, type EventRow } from './event-row.js';

/** Rows per INSERT statement: 14 columns × 1000 stays under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const CHUNK_ROWS = 1000;
const sqlCache = new Map<string, string>();

/** Multi-row statement text for `n` rows, cached (the same SQL on SQLite ≥ 3.35 and PostgreSQL). */
function multiRow(kind: 'events' | 'keys' | 'activity', n: number): string {
  const key = `${kind}:${n}`;
  let sql = sqlCache.get(key);
  if (sql) return sql;
  if (kind === 'events') {
    // Knex's own SQLite batch insert is INSERT … SELECT … UNION ALL, which fails past 500 rows
    // (SQLITE_MAX_COMPOUND_SELECT) and is slower: hence hand-written multi-row VALUES.
    const row = `(${COLUMNS.map(() => '?').join(',')})`;
    sql = `INSERT INTO events (${COLUMNS.join(', ')}) VALUES ${Array(n).fill(row).join(',')} RETURNING id`;
  } else if (kind === 'keys') {
    sql = `INSERT INTO event_keys (k, event_row) VALUES ${Array(n).fill('(?,?)').join(',')} ON CONFLICT (k) DO NOTHING RETURNING event_row`;
  } else {
    sql = `INSERT INTO store_activity (store_id, last_event_ts, last_received_at, event_count) VALUES ${Array(n).fill('(?,?,?,?)').join(',')}
      ON CONFLICT (store_id) DO UPDATE SET
        last_event_ts = CASE WHEN excluded.last_event_ts > store_activity.last_event_ts THEN excluded.last_event_ts ELSE store_activity.last_event_ts END,
        last_received_at = excluded.last_received_at,
        event_count = store_activity.event_count + excluded.event_count`;
  }
  sqlCache.set(key, sql);
  return sql;
}

function eventBindings(rows: EventRow[]): Binding[] {
  const out: Binding[] = [];
  for (const r of rows) {
    // Booleans bind as 1/0: better-sqlite3 binds no booleans, PostgreSQL reads '1'/'0' as boolean.
    out.push(r.event_id, r.store_id, r.camera_id, r.visitor_id, r.event_type, r.ts, r.zone_id, r.dwell_ms,
      r.is_staff ? 1 : 0, r.confidence, r.queue_depth, r.session_seq, r.metadata, r.received_at);
  }
  return out;
}

interface Placed {
  row: EventRow;
  id: number;
  key: bigint;
}

/** Appends the rows and returns each with its new row id (ids ascend in VALUES order on both databases). */
async function appendRows(exec: WriteExec, rows: EventRow[]): Promise<Placed[]> {
  const placed: Placed[] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const chunk = rows.slice(i, i + CHUNK_ROWS);
    const ids = (await exec.all<{ id: number }>(multiRow('events', chunk.length), eventBindings(chunk)))
      .map((r) => Number(r.id))
      .sort((a, b) => a - b);
    chunk.forEach((row, j) => placed.push({ row, id: ids[j]!, key: eventKey(row.event_id) }));
  }
  return placed;
}

/** Claims each row's key; returns the rows that lost their key to an earlier row (duplicates or collisions). */
async function claimKeys(exec: WriteExec, placed: Placed[]): Promise<Placed[]> {
  const won = new Set<number>();
  for (let i = 0; i < placed.length; i += CHUNK_ROWS) {
    const chunk = placed.slice(i, i + CHUNK_ROWS);
    const res = await exec.all<{ event_row: number }>(multiRow('keys', chunk.length), chunk.flatMap((p) => [p.key, p.id]));
    for (const r of res) won.add(Number(r.event_row));
  }
  return placed.filter((p) => !won.has(p.id));
}

/** Of the rows that lost their key, the ones that are true duplicates (same event_id already stored). */
async function duplicatesAmong(exec: WriteExec, losers: Placed[]): Promise<Placed[]> {
  const holders = new Map<string, string>();
  for (let i = 0; i < losers.length; i += CHUNK_ROWS) {
    const chunk = losers.slice(i, i + CHUNK_ROWS);
    const res = await exec.all<{ k: string; event_id: string }>(
      `SELECT CAST(ek.k AS TEXT) AS k, e.event_id FROM event_keys ek JOIN events e ON e.id = ek.event_row WHERE ek.k IN (${chunk.map(() => '?').join(',')})`,
      chunk.map((p) => p.key),
    );
    for (const r of res) holders.set(r.k, r.event_id);
  }
  const dups: Placed[] = [];
  for (const p of losers) {
    if (holders.get(p.key.toString()) === p.row.event_id) {
      dups.push(p);
      continue;
    }
    // A genuine 64-bit collision between two different ids: exactness falls back to the overflow table.
    const fresh = await exec.all(`INSERT INTO event_key_overflow (event_id) VALUES (?) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`, [p.row.event_id]);
    if (fresh.length === 0) dups.push(p);
  }
  return dups;
}

async function touchActivity(exec: WriteExec, rows: EventRow[]): Promise<void> {
  const byStore = new Map<string, { last: number; count: number }>();
  for (const r of rows) {
    const a = byStore.get(r.store_id) ?? { last: 0, count: 0 };
    a.last = Math.max(a.last, r.ts);
    a.count += 1;
    byStore.set(r.store_id, a);
  }
  if (byStore.size === 0) return;
  const now = Date.now();
  const b = [...byStore].flatMap(([storeId, a]) => [storeId, a.last, now, a.count]);
  await exec.run(multiRow('activity', byStore.size), b);
}

/** PostgreSQL: append, claim keys, drop true duplicates. Returns the rows kept. */
async function insertDirectWith(exec: WriteExec, rows: EventRow[]): Promise<EventRow[]> {
  const placed = await appendRows(exec, rows);
  const losers = await claimKeys(exec, placed);
  const dupIds = new Set<number>();
  if (losers.length > 0) {
    const dups = await duplicatesAmong(exec, losers);
    for (const d of dups) dupIds.add(d.id);
    for (let i = 0; i < dups.length; i += CHUNK_ROWS) {
      const chunk = dups.slice(i, i + CHUNK_ROWS);
      await exec.run(`DELETE FROM events WHERE id IN (${chunk.map(() => '?').join(',')})`, chunk.map((d) => d.id));
    }
  }
  return placed.filter((p) => !dupIds.has(p.id)).map((p) => p.row);
}

/**
 * The body of one write transaction: store the new rows and keep store activity. Returns the event_ids stored
 * now. A row whose event_id is already stored (earlier, or earlier in the same call) is a duplicate and is not
 * kept, whatever its content. SQLite stages the rows for the fold (hub/store/event-staging.ts); PostgreSQL,
 * where several hubs write at once, appends to events directly. Runs on the hub's connection or in the SQLite
 * writer thread.
 */
export async function insertRowsWith(exec: WriteExec, dialect: Dialect, rows: EventRow[], place: StagingPlace = LOCAL_STAGING): Promise<Set<string>> {
  const kept = dialect === 'sqlite' ? await stageRowsWith(exec, rows, place) : await insertDirectWith(exec, rows);
  // Staged in the staging file: store_activity (in the hub file) is kept by the fold thread instead, so that a
  // commit takes no lock on the hub file (/health then lags by at most one fold, well under its minutes).
  if (place === LOCAL_STAGING) await touchActivity(exec, kept);
  return new Set(kept.map((r) => r.event_id));
}

export function createEventRepository(db: Db) {
  const { knex } = db;

  return {
    /**
     * Stores rows in one transaction; returns the event_ids that were new. A row whose event_id is already
     * stored (earlier, or earlier in the same call) is a duplicate and is not kept, whatever its content.
     */
    async insertRows(rows: EventRow[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      return withWriteTx(db, (exec) => insertRowsWith(exec, db.dialect, rows));
    },

    /** Events stored, folded or still staged (in the hub file, or in the staging file of the writer threads). */
    async count(storeId?: string): Promise<number> {
      const tables = db.dialect === 'sqlite' ? ['events', 'events_staged'] : ['events'];
      let total = 0;
      for (const table of tables) {
        const q = knex(table).count<{ n: number | string }[]>({ n: '*' });
        if (storeId) q.where({ store_id: storeId });
        const [row] = await q;
        total += Number(row?.n ?? 0);
      }
      if (db.sqliteFile) {
        // Rows the fold has moved stay in the staging file until the stager drops them: count each id once.
        const [row] = await knex.raw<{ n: number }[]>(
          `SELECT COUNT(*) AS n FROM staging.events_staged WHERE id > (SELECT COALESCE(MAX(id), 0) FROM main.events)${storeId ? ' AND store_id = ?' : ''}`,
          storeId ? [storeId] : [],
        );
        total += Number(row?.n ?? 0);
      }
      return total;
    },

    /** Newest event time per store, from the activity table kept at ingest (no scan of events). */
    async storeActivity(): Promise<{ store_id: string; last_event_ts: number; last_received_at: number; event_count: number }[]> {
      return knex('store_activity').select('*');
    },

    async ping(): Promise<void> {
      await knex.raw('select 1');
    },
  };
}
export type EventRepository = ReturnType<typeof createEventRepository>;
