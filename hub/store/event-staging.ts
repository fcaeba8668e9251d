import { EVENT_COLUMNS as COLUMNS, eventKey, type EventRow } from './event-row.js';
import type { Binding, WriteExec } from './write-tx.js';

/**
 * SQLite ingest staging (docs/CHOICES.md, "Ingest write path"). A commit appends the new events to
 * events_staged, which has no index; the fold moves them into events (four indexes), event_keys and the rollups in
 * one ordered batch. Every random index page is then rewritten once per fold rather than once per commit, and the
 * commit that answers the client stays small. De-duplication stays exact: a key is looked up in event_keys and
 * among the staged keys (in memory), and a key held by another event_id falls back to event_key_overflow.
 * Single writer only (SQLite): the lookups and the append must run in the same write transaction.
 */

const COLUMN_LIST = COLUMNS.join(', ');
/** Rows per statement: 15 columns × 1000 is under SQLite's 32,766 parameters. */
const CHUNK = 1000;
const sqlCache = new Map<string, string>();

function cached(key: string, build: () => string): string {
  let sql = sqlCache.get(key);
  if (!sql) sqlCache.set(key, (sql = build()));
  return sql;
}

const marks = (n: number) => Array(n).fill('?').join(',');

/**
 * Where staged rows live, seen from the connection that stages them: the hub file's own events_staged (the hub's
 * connection: `:memory:` and tools), or the staging file's, with the hub file attached as `hub` (the stager thread
 * of hub/store/sqlite-writer.ts, so that commits and folds take different files' write locks and run at once).
 */
export interface StagingPlace {
  /** Schema prefix of event_keys, events and event_key_overflow: '' or 'hub.'. */
  hub: '' | 'hub.';
}
export const LOCAL_STAGING: StagingPlace = { hub: '' };
export const STAGING_FILE: StagingPlace = { hub: 'hub.' };

/** The staging file of a hub's SQLite file. */
export const stagingFileOf = (hubFile: string) => `${hubFile}-staging`;

/** The columns of events_staged: an events row with its id and 64-bit key (created in both places). */
export const STAGED_TABLE_COLUMNS = `id INTEGER PRIMARY KEY AUTOINCREMENT, k INTEGER NOT NULL,
  event_id VARCHAR(36) NOT NULL, store_id VARCHAR(64) NOT NULL, camera_id VARCHAR(64) NOT NULL, visitor_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(32) NOT NULL, ts BIGINT NOT NULL, zone_id VARCHAR(64), dwell_ms BIGINT NOT NULL, is_staff BOOLEAN NOT NULL,
  confidence FLOAT NOT NULL, queue_depth INTEGER, session_seq INTEGER NOT NULL, metadata TEXT NOT NULL, received_at BIGINT NOT NULL`;

/**
 * The keys of the staged events, in memory: events_staged has no index, so a commit appends its rows and
 * nothing else. Built from the table on first use by a connection, kept by that connection's stages and folds.
 * It assumes one staging writer per SQLite file (the hub's writer thread): a second hub process on the same
 * file would not see this one's staged keys, which is why several hubs need PostgreSQL (docs/DESIGN.md).
 */
interface StagedKeys {
  byKey: Map<bigint, string[]>;
  /** [id, key, event_id] in id order, so a fold of ids ≤ X forgets a prefix. */
  order: [number, bigint, string][];
  head: number;
}

async function stagedKeys(exec: WriteExec): Promise<StagedKeys> {
  const state = exec.connectionState;
  if (!state) throw new Error('SQLite staging needs a connection-scoped WriteExec (sqliteExec)');
  let keys = state.get('stagedKeys') as StagedKeys | undefined;
  if (keys) return keys;
  keys = { byKey: new Map(), order: [], head: 0 };
  const rows = await exec.all<{ id: number; k: string; event_id: string }>('SELECT id, CAST(k AS TEXT) AS k, event_id FROM events_staged ORDER BY id', []);
  for (const r of rows) remember(keys, Number(r.id), BigInt(r.k), r.event_id);
  state.set('stagedKeys', keys);
  return keys;
}

function remember(keys: StagedKeys, id: number, key: bigint, eventId: string): void {
  const held = keys.byKey.get(key);
  if (held) held.push(eventId);
  else keys.byKey.set(key, [eventId]);
  keys.order.push([id, key, eventId]);
}

/** Forgets the staged keys of ids ≤ `upto` (moved by a fold; a fold by another connection leaves only stale ids). */
function forget(keys: StagedKeys, upto: number): void {
  while (keys.head < keys.order.length && keys.order[keys.head]![0] <= upto) {
    const [, key, eventId] = keys.order[keys.head++]!;
    const held = keys.byKey.get(key)?.filter((x) => x !== eventId) ?? [];
    if (held.length > 0) keys.byKey.set(key, held);
    else keys.byKey.delete(key);
  }
  if (keys.head > 4096 && keys.head * 2 > keys.order.length) {
    keys.order = keys.order.slice(keys.head);
    keys.head = 0;
  }
}

/** event_ids holding each key: folded (event_keys) or staged (in memory). */
async function holdersOf(exec: WriteExec, staged: StagedKeys, keys: bigint[], hub: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    const sql = cached(`holders:${hub}:${chunk.length}`, () =>
      `SELECT CAST(ek.k AS TEXT) AS k, e.event_id FROM ${hub}event_keys ek JOIN ${hub}events e ON e.id = ek.event_row WHERE ek.k IN (${marks(chunk.length)})`);
    const rows = await exec.all<{ k: string; event_id: string }>(sql, chunk);
    for (const r of rows) out.set(r.k, [...(out.get(r.k) ?? []), r.event_id]);
  }
  for (const key of keys) {
    const held = staged.byKey.get(key);
    if (held) out.set(key.toString(), [...(out.get(key.toString()) ?? []), ...held]);
  }
  return out;
}

/** True when `eventId` is new although another event_id holds its key (a 64-bit collision). */
async function claimOverflow(exec: WriteExec, eventId: string, hub: string): Promise<boolean> {
  const fresh = await exec.all(`INSERT INTO ${hub}event_key_overflow (event_id) VALUES (?) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`, [eventId]);
  return fresh.length > 0;
}

/** The rows of `rows` that are new: first copy of each id, not stored before (staged or folded). */
async function freshRows(exec: WriteExec, staged: StagedKeys, rows: EventRow[], hub: string): Promise<{ row: EventRow; key: bigint }[]> {
  const firsts = new Map<string, EventRow>();
  for (const r of rows) if (!firsts.has(r.event_id)) firsts.set(r.event_id, r);
  const cands = [...firsts.values()].map((row) => ({ row, key: eventKey(row.event_id) }));
  const holders = await holdersOf(exec, staged, cands.map((c) => c.key), hub);
  const out: { row: EventRow; key: bigint }[] = [];
  for (const c of cands) {
    const k = c.key.toString();
    const held = holders.get(k);
    if (held?.includes(c.row.event_id)) continue;
    // Held by another id (stored, or earlier in this batch): exact answer from the overflow table.
    if (held && !(await claimOverflow(exec, c.row.event_id, hub))) continue;
    holders.set(k, [...(held ?? []), c.row.event_id]);
    out.push(c);
  }
  return out;
}

/**
 * Appends the new rows of `rows` to events_staged and returns them. A row whose event_id is already stored
 * (earlier, or earlier in the same call) is a duplicate and is not kept, whatever its content.
 */
export async function stageRowsWith(exec: WriteExec, rows: EventRow[], place: StagingPlace = LOCAL_STAGING): Promise<EventRow[]> {
  const staged = await stagedKeys(exec);
  const fresh = await freshRows(exec, staged, rows, place.hub);
  const placed: [number, bigint, string][] = [];
  for (let i = 0; i < fresh.length; i += CHUNK) {
    const chunk = fresh.slice(i, i + CHUNK);
    const sql = cached(`stage:${chunk.length}`, () =>
      `INSERT INTO events_staged (k, ${COLUMN_LIST}) VALUES ${Array(chunk.length).fill(`(${marks(COLUMNS.length + 1)})`).join(',')}`);
    const b: Binding[] = [];
    for (const { row: r, key } of chunk) {
      b.push(key, r.event_id, r.store_id, r.camera_id, r.visitor_id, r.event_type, r.ts, r.zone_id, r.dwell_ms,
        r.is_staff ? 1 : 0, r.confidence, r.queue_depth, r.session_seq, r.metadata, r.received_at);
    }
    // One statement under the write lock takes consecutive AUTOINCREMENT ids, ending at lastInsertRowid.
    const { lastInsertRowid } = await exec.run(sql, b);
    const first = lastInsertRowid! - chunk.length + 1;
    chunk.forEach((c, j) => placed.push([first + j, c.key, c.row.event_id]));
  }
  // A transaction rolled back after this point must drop the whole map (write-tx.ts and the writer thread
  // clear connectionState on ROLLBACK), or the next copy of these ids would be taken for a duplicate.
  for (const [id, key, eventId] of placed) remember(staged, id, key, eventId);
  return fresh.map((f) => f.row);
}

/**
 * Moves every staged event (keeping its id) into events and event_keys, and empties events_staged. Returns how
 * many moved. Keys go in key order, so the event_keys B-tree is walked once; on a key collision the first holder
 * keeps the key (the other id is in event_key_overflow already). Emptying the whole table (DELETE without WHERE)
 * frees its pages without rewriting them; the writer thread folds every FOLD_STEP_EVENTS, so it stays small.
 */
export async function moveStagedWith(exec: WriteExec): Promise<number> {
  const [last] = await exec.all<{ id: number | null; n: number }>('SELECT MAX(id) AS id, COUNT(*) AS n FROM events_staged', []);
  if (!last?.id) return 0;
  await exec.run(`INSERT INTO events (id, ${COLUMN_LIST}) SELECT id, ${COLUMN_LIST} FROM events_staged ORDER BY id`, []);
  await exec.run('INSERT OR IGNORE INTO event_keys (k, event_row) SELECT k, id FROM events_staged ORDER BY k, id', []);
  await exec.run('DELETE FROM events_staged', []);
  forget(await stagedKeys(exec), last.id);
  return Number(last.n);
}

/**
 * The fold thread's move: every row of the staging file (attached as `staging`) not yet in events, into events and
 * event_keys, keeping ids. The stager deletes them afterwards (forgetStagedWith): until then a row is in both files,
 * so a fold after a crash in between moves nothing twice (ids are events' primary key; rollups go by watermark).
 */
export async function moveFromStagingFileWith(exec: WriteExec): Promise<{ moved: number; upto: number }> {
  const [last] = await exec.all<{ id: number | null; n: number; after: number }>(
    `SELECT MAX(id) AS id, COUNT(*) AS n, (SELECT COALESCE(MAX(id), 0) FROM events) AS after
     FROM staging.events_staged WHERE id > (SELECT COALESCE(MAX(id), 0) FROM events)`, []);
  if (!last?.id) return { moved: 0, upto: 0 };
  // store_activity (read by /health) for the rows moved now, counted once even after a crash mid-fold.
  await exec.run(`INSERT INTO store_activity AS a (store_id, last_event_ts, last_received_at, event_count)
    SELECT store_id, MAX(ts), MAX(received_at), COUNT(*) FROM staging.events_staged WHERE id > ? AND id <= ? GROUP BY store_id
    ON CONFLICT (store_id) DO UPDATE SET
      last_event_ts = CASE WHEN excluded.last_event_ts > a.last_event_ts THEN excluded.last_event_ts ELSE a.last_event_ts END,
      last_received_at = CASE WHEN excluded.last_received_at > a.last_received_at THEN excluded.last_received_at ELSE a.last_received_at END,
      event_count = a.event_count + excluded.event_count`, [last.after, last.id]);
  await exec.run(`INSERT OR IGNORE INTO events (id, ${COLUMN_LIST}) SELECT id, ${COLUMN_LIST} FROM staging.events_staged WHERE id <= ? ORDER BY id`, [last.id]);
  await exec.run('INSERT OR IGNORE INTO event_keys (k, event_row) SELECT k, id FROM staging.events_staged WHERE id <= ? ORDER BY k, id', [last.id]);
  return { moved: Number(last.n), upto: last.id };
}

/** The stager's side of a fold: drop the staged rows the fold thread has moved (ids ≤ upto) and their keys. */
export async function forgetStagedWith(exec: WriteExec, upto: number): Promise<void> {
  await exec.run('DELETE FROM events_staged WHERE id <= ?', [upto]);
  forget(await stagedKeys(exec), upto);
}
