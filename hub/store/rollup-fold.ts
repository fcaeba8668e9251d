import { ROLLUP_BUCKET_MS } from '../analytics/rollup.js';
import type { Db, Dialect } from './db.js';
import { withWriteTx, type WriteExec } from './write-tx.js';

const STATE = 'visitor_rollups';
/** Events folded per transaction when catching up a backlog: bounded work per transaction. */
const CATCH_UP_STEP_EVENTS = 100_000;
/**
 * Event writes fold once this many events are past the watermark. Folding 20,000 events at once touches each
 * rollup page once instead of once per commit (docs/CHOICES.md, "One event store"); reads add the events past
 * the watermark themselves (`pendingRollupRows`), so answers stay exact whatever the fold's progress.
 */
export const FOLD_EVERY_EVENTS = 20_000;
const COLS = [
  'store_id', 'bucket_ts', 'visitor_id', 'zone_id', 'is_staff', 'camera_id', 'n_events', 'first_in', 'first_entry', 'last_exit',
  'first_seen', 'last_seen', 'zone_events', 'joins', 'abandons', 'dwell_sum', 'dwell_n',
] as const;

// MIN/MAX that keep the non-null side (SQLite's scalar min() returns NULL if either argument is NULL).
const minOf = (c: string) => `CASE WHEN excluded.${c} IS NULL THEN r.${c} WHEN r.${c} IS NULL OR excluded.${c} < r.${c} THEN excluded.${c} ELSE r.${c} END`;
const maxOf = (c: string) => `CASE WHEN excluded.${c} IS NULL THEN r.${c} WHEN r.${c} IS NULL OR excluded.${c} > r.${c} THEN excluded.${c} ELSE r.${c} END`;
const sumOf = (c: string) => `${c} = r.${c} + excluded.${c}`;

const ZONE_COLS = ['store_id', 'bucket_ts', 'zone_id', 'is_staff', 'n_events', 'dwell_sum', 'dwell_n', 'first_seen', 'last_seen'] as const;

const B = ROLLUP_BUCKET_MS;
/** 1 for an event that meets `cond`, else 0: a pending event's own count; summed, the fold's. */
const flag = (cond: string) => `CASE WHEN ${cond} THEN 1 ELSE 0 END`;
const count = (cond: string) => `SUM(${flag(cond)})`;
/**
 * The rollup of events with id in (?, ?], computed by the database: the same definitions as rollUp() in
 * hub/analytics/rollup.ts (the reference the tests hold this to), without shipping every event to JS and back.
 */
const visitorFoldSql = (c: string) => `INSERT INTO visitor_rollups AS r (${COLS.join(', ')})
  SELECT store_id, (ts / ${B}) * ${B}, visitor_id, COALESCE(zone_id, ''), is_staff, MIN(camera_id${c}), COUNT(*),
    MIN(CASE WHEN event_type IN ('ENTRY', 'REENTRY') THEN ts END), MIN(CASE WHEN event_type = 'ENTRY' THEN ts END),
    MAX(CASE WHEN event_type = 'EXIT' THEN ts END), MIN(ts), MAX(ts), ${count("event_type IN ('ZONE_ENTER', 'ZONE_DWELL')")},
    ${count("event_type = 'BILLING_QUEUE_JOIN'")}, ${count("event_type = 'BILLING_QUEUE_ABANDON'")},
    SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN dwell_ms ELSE 0 END), ${count("event_type = 'ZONE_DWELL'")}
  FROM events WHERE id > ? AND id <= ? GROUP BY store_id, (ts / ${B}) * ${B}, visitor_id, COALESCE(zone_id, ''), is_staff
  ON CONFLICT (store_id, bucket_ts, visitor_id, zone_id, is_staff) DO UPDATE SET
    ${sumOf('n_events')}, ${sumOf('zone_events')}, ${sumOf('joins')}, ${sumOf('abandons')}, ${sumOf('dwell_sum')}, ${sumOf('dwell_n')},
    camera_id = CASE WHEN r.camera_id IS NULL OR excluded.camera_id${c} < r.camera_id${c} THEN excluded.camera_id ELSE r.camera_id END,
    first_in = ${minOf('first_in')}, first_entry = ${minOf('first_entry')}, last_exit = ${maxOf('last_exit')},
    first_seen = ${minOf('first_seen')}, last_seen = ${maxOf('last_seen')}`;
/** Camera ids compare by code point on both databases (PostgreSQL's default collation may follow a locale). */
const SQLITE_VISITOR_FOLD_SQL = visitorFoldSql('');
const PG_VISITOR_FOLD_SQL = visitorFoldSql(' COLLATE "C"');

const ZONE_FOLD_SQL = `INSERT INTO zone_rollups AS r (${ZONE_COLS.join(', ')})
  SELECT store_id, (ts / ${B}) * ${B}, COALESCE(zone_id, ''), is_staff, COUNT(*),
    SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN dwell_ms ELSE 0 END), ${count("event_type = 'ZONE_DWELL'")}, MIN(ts), MAX(ts)
  FROM events WHERE id > ? AND id <= ? GROUP BY store_id, (ts / ${B}) * ${B}, COALESCE(zone_id, ''), is_staff
  ON CONFLICT (store_id, bucket_ts, zone_id, is_staff) DO UPDATE SET
    ${sumOf('n_events')}, ${sumOf('dwell_sum')}, ${sumOf('dwell_n')}, first_seen = ${minOf('first_seen')}, last_seen = ${maxOf('last_seen')}`;

const PAST_WATERMARK = `FROM events WHERE id > (SELECT last_event_row FROM rollup_state WHERE name = '${STATE}')`;
const dwellOf = "CASE WHEN event_type = 'ZONE_DWELL' THEN dwell_ms ELSE 0 END";
/**
 * The events past the watermark as rollup rows of one event each (the fold's definitions, row by row), in the
 * columns of each rollup table. A read takes the union of a table and these rows in one statement, so it sees one
 * snapshot: an event is counted once, either folded or pending, never both.
 */
export const pendingRollupRows = {
  visitor_rollups: `SELECT store_id, (ts / ${B}) * ${B} AS bucket_ts, visitor_id, COALESCE(zone_id, '') AS zone_id, is_staff, camera_id,
    1 AS n_events, CASE WHEN event_type IN ('ENTRY', 'REENTRY') THEN ts END AS first_in, CASE WHEN event_type = 'ENTRY' THEN ts END AS first_entry,
    CASE WHEN event_type = 'EXIT' THEN ts END AS last_exit, ts AS first_seen, ts AS last_seen,
    ${flag("event_type IN ('ZONE_ENTER', 'ZONE_DWELL')")} AS zone_events, ${flag("event_type = 'BILLING_QUEUE_JOIN'")} AS joins,
    ${flag("event_type = 'BILLING_QUEUE_ABANDON'")} AS abandons, ${dwellOf} AS dwell_sum, ${flag("event_type = 'ZONE_DWELL'")} AS dwell_n
    ${PAST_WATERMARK}`,
  zone_rollups: `SELECT store_id, (ts / ${B}) * ${B} AS bucket_ts, COALESCE(zone_id, '') AS zone_id, is_staff, 1 AS n_events,
    ${dwellOf} AS dwell_sum, ${flag("event_type = 'ZONE_DWELL'")} AS dwell_n, ts AS first_seen, ts AS last_seen
    ${PAST_WATERMARK}`,
} as const;

/**
 * Inside an event write: folds once FOLD_EVERY_EVENTS events are past the watermark (and says whether it did). Ids are assigned in commit
 * order (one writer at a time, see below), so the highest id less the watermark bounds the events waiting.
 */
export async function foldRollupsIfDue(exec: WriteExec, dialect: Dialect): Promise<boolean> {
  const [r] = await exec.all<{ top: number | string | null; mark: number | string | null }>(
    `SELECT (SELECT MAX(id) FROM events) AS top, (SELECT last_event_row FROM rollup_state WHERE name = ?) AS mark`, [STATE]);
  if (Number(r?.top ?? 0) - Number(r?.mark ?? 0) < FOLD_EVERY_EVENTS) return false;
  await foldRollupsWith(exec, dialect);
  return true;
}

/**
 * Folds the events past the watermark (the highest events.id folded) into visitor_rollups and zone_rollups, at most
 * `maxEvents` of them, and moves the watermark. Runs inside event write transactions (foldRollupsIfDue) and at
 * start; ids become visible in order because event writes never overlap (SQLite has one writer; on PostgreSQL they
 * hold the events-write lock, write-tx.ts), and the state row is locked on PostgreSQL besides. Returns how many events were folded and whether more are left.
 */
export async function foldRollupsWith(exec: WriteExec, dialect: Dialect, maxEvents = Number.MAX_SAFE_INTEGER): Promise<{ rolled: number; more: boolean }> {
  const [state] = await exec.all<{ last_event_row: number | string }>(
    `SELECT last_event_row FROM rollup_state WHERE name = ?${dialect === 'pg' ? ' FOR UPDATE' : ''}`, [STATE]);
  const after = Number(state?.last_event_row ?? 0);
  const [range] = await exec.all<{ upto: number | string | null; n: number | string }>(
    maxEvents === Number.MAX_SAFE_INTEGER
      ? 'SELECT MAX(id) AS upto, COUNT(*) AS n FROM events WHERE id > ?'
      : 'SELECT MAX(id) AS upto, COUNT(*) AS n FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?) AS batch',
    maxEvents === Number.MAX_SAFE_INTEGER ? [after] : [after, maxEvents]);
  if (range?.upto === null || range?.upto === undefined) return { rolled: 0, more: false };
  const upto = Number(range.upto);
  await exec.run(dialect === 'pg' ? PG_VISITOR_FOLD_SQL : SQLITE_VISITOR_FOLD_SQL, [after, upto]);
  await exec.run(ZONE_FOLD_SQL, [after, upto]);
  await exec.run(
    'INSERT INTO rollup_state (name, last_event_row) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_event_row = excluded.last_event_row',
    [STATE, upto]);
  const rolled = Number(range.n);
  return { rolled, more: rolled >= maxEvents };
}

/**
 * Folds a backlog left by an older version (events stored before their rollups were kept at write time), in
 * bounded steps, each its own write transaction. Runs once when the store opens; returns events folded.
 */
export async function catchUpRollups(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const step = await withWriteTx(db, (exec) => foldRollupsWith(exec, db.dialect, CATCH_UP_STEP_EVENTS));
    total += step.rolled;
    if (!step.more) return total;
  }
}
