import { EVENT_COLUMNS, eventKey, type EventRow } from './event-row.js';
import { foldRollupsIfDue } from './rollup-fold.js';
import type { Dialect } from './db.js';
import type { KeyClaim, RecentKeys } from './recent-keys.js';
import { placeholders, type Binding, type WriteExec } from './write-tx.js';

/** What became of one row handed to the store. */
export type RowOutcome = 'stored' | 'duplicate';

/** Rows per statement: 14 columns × 1000 stays under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;
const sqlCache = new Map<string, string>();
const cached = (key: string, build: () => string): string => {
  let sql = sqlCache.get(key);
  if (!sql) sqlCache.set(key, (sql = build()));
  return sql;
};

/**
 * The de-duplication rule, one for both databases: the first copy of an event_id wins, whatever the content of
 * later copies. The key of an id is its UUID's two 64-bit halves XOR-ed (eventKey); a key already held by a
 * different id is a genuine collision, and that id is then claimed in event_key_overflow by its full text.
 * Keys are held in event_keys and, for the newest events, in `recent` (recent-keys.ts: a small table on PostgreSQL,
 * memory on SQLite), looked up together and moved into event_keys in key order when the rollups fold.
 * Exact only while no other transaction writes events at the same time: SQLite has one writer, and on PostgreSQL
 * every event transaction holds the events-write lock first (write-tx.ts).
 * Returns, per row, whether it is new, and whether it also claims its 64-bit key (false for a collision).
 */
async function judge(exec: WriteExec, recent: RecentKeys, rows: EventRow[]): Promise<{ fresh: boolean; claimsKey: boolean; key: bigint }[]> {
  const keys = rows.map((r) => eventKey(r.event_id));
  const holders = new Map<string, string[]>();
  const distinct = [...new Set(keys)];
  for (let i = 0; i < distinct.length; i += CHUNK) {
    for (const r of await recent.holders(exec, distinct.slice(i, i + CHUNK))) holders.set(r.k, [...(holders.get(r.k) ?? []), r.event_id]);
  }
  const out: { fresh: boolean; claimsKey: boolean; key: bigint }[] = [];
  for (let i = 0; i < rows.length; i++) {
    const id = rows[i]!.event_id;
    const key = keys[i]!;
    const held = holders.get(key.toString());
    if (held?.includes(id)) {
      out.push({ fresh: false, claimsKey: false, key });
      continue;
    }
    if (held) {
      const claimed = await exec.all(
        'INSERT INTO event_key_overflow (event_id) VALUES (?) ON CONFLICT (event_id) DO NOTHING RETURNING event_id', [id]);
      out.push({ fresh: claimed.length > 0, claimsKey: false, key });
      if (claimed.length > 0) held.push(id);
      continue;
    }
    holders.set(key.toString(), [id]);
    out.push({ fresh: true, claimsKey: true, key });
  }
  return out;
}

function rowBindings(rows: EventRow[]): Binding[] {
  const out: Binding[] = [];
  // Booleans bind as 1/0: better-sqlite3 binds no booleans, PostgreSQL reads '1'/'0' as boolean.
  for (const r of rows) {
    out.push(r.event_id, r.store_id, r.camera_id, r.visitor_id, r.event_type, r.ts, r.zone_id, r.dwell_ms,
      r.is_staff ? 1 : 0, r.confidence, r.queue_depth, r.session_seq, r.metadata, r.received_at);
  }
  return out;
}

/** Appends rows to events; returns their new ids in row order (ids ascend in VALUES order under the write lock). */
async function append(exec: WriteExec, rows: EventRow[]): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    // Knex's own SQLite batch insert is INSERT … SELECT … UNION ALL, which fails past 500 rows: hence VALUES.
    const sql = cached(`events:${chunk.length}`, () =>
      `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES ${Array(chunk.length).fill(`(${placeholders(EVENT_COLUMNS.length)})`).join(',')} RETURNING id`);
    const got = (await exec.all<{ id: number | string }>(sql, rowBindings(chunk))).map((r) => Number(r.id)).sort((a, b) => a - b);
    ids.push(...got);
  }
  return ids;
}

async function touchActivity(exec: WriteExec, rows: EventRow[]): Promise<void> {
  const byStore = new Map<string, { last: number; received: number; count: number }>();
  for (const r of rows) {
    const a = byStore.get(r.store_id) ?? { last: r.ts, received: r.received_at, count: 0 };
    a.last = Math.max(a.last, r.ts);
    a.received = Math.max(a.received, r.received_at);
    a.count += 1;
    byStore.set(r.store_id, a);
  }
  if (byStore.size === 0) return;
  const sql = cached(`activity:${byStore.size}`, () => `INSERT INTO store_activity AS a (store_id, last_event_ts, last_received_at, event_count)
    VALUES ${Array(byStore.size).fill('(?,?,?,?)').join(',')}
    ON CONFLICT (store_id) DO UPDATE SET
      last_event_ts = CASE WHEN excluded.last_event_ts > a.last_event_ts THEN excluded.last_event_ts ELSE a.last_event_ts END,
      last_received_at = CASE WHEN excluded.last_received_at > a.last_received_at THEN excluded.last_received_at ELSE a.last_received_at END,
      event_count = a.event_count + excluded.event_count`);
  await exec.run(sql, [...byStore].flatMap(([storeId, a]) => [storeId, a.last, a.received, a.count]));
}

/**
 * The body of every event write transaction, on both databases: judge each row by the de-duplication rule, append
 * the new ones to events, claim their keys, keep store_activity, and fold the rollups once enough events wait, all
 * in the same transaction. Reads never need a fold: they add the events past the watermark themselves.
 * A row whose event_id appears earlier in `rows` is that earlier row's duplicate.
 */
export async function writeEventsWith(exec: WriteExec, dialect: Dialect, recent: RecentKeys, rows: EventRow[]): Promise<RowOutcome[]> {
  if (rows.length === 0) return [];
  const verdicts = await judge(exec, recent, rows);
  const fresh = rows.filter((_, i) => verdicts[i]!.fresh);
  if (fresh.length > 0) {
    const ids = await append(exec, fresh);
    const claims: KeyClaim[] = [];
    let j = 0;
    verdicts.forEach((v, i) => {
      if (!v.fresh) return;
      if (v.claimsKey) claims.push({ key: v.key, row: ids[j]!, eventId: rows[i]!.event_id });
      j++;
    });
    await recent.claim(exec, claims);
    await touchActivity(exec, fresh);
    if (await foldRollupsIfDue(exec, dialect)) await recent.merge(exec);
  }
  return verdicts.map((v) => (v.fresh ? 'stored' : 'duplicate'));
}

/**
 * One event write in its own transaction, run by `inTx`; tells `recent` afterwards whether it committed. Writes
 * through one RecentKeys must not overlap (SQLite: the writer's chain; PostgreSQL: its keys are a table).
 */
export async function writeEvents(
  inTx: (fn: (exec: WriteExec) => Promise<RowOutcome[]>) => Promise<RowOutcome[]>, dialect: Dialect, recent: RecentKeys, rows: EventRow[],
): Promise<RowOutcome[]> {
  let committed = false;
  try {
    const out = await inTx((exec) => writeEventsWith(exec, dialect, recent, rows));
    committed = true;
    return out;
  } finally {
    recent.settle(committed);
  }
}
