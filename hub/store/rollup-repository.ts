import { ROLLUP_BUCKET_MS } from '../analytics/rollup.js';
import type { Db, Dialect } from './db.js';
import { moveFromStagingFileWith, moveStagedWith } from './event-staging.js';
import { withWriteTx, type WriteExec } from './write-tx.js';

const STATE = 'visitor_rollups';
/** Staged events a fold step is meant for (the writer thread folds when this many are staged). */
export const FOLD_STEP_EVENTS = 20_000;
/** Events folded into the rollups per step at most: bounded work per transaction (GROUP BY in the database). */
const BATCH_EVENTS = 100_000;
const COLS = [
  'store_id', 'bucket_ts', 'visitor_id', 'zone_id', 'is_staff', 'n_events', 'first_in', 'first_entry', 'last_exit',
  'first_seen', 'last_seen', 'zone_events', 'joins', 'abandons', 'dwell_sum', 'dwell_n',
] as const;

// MIN/MAX that keep the non-null side (SQLite's scalar min() returns NULL if either argument is NULL).
const minOf = (c: string) => `CASE WHEN excluded.${c} IS NULL THEN r.${c} WHEN r.${c} IS NULL OR excluded.${c} < r.${c} THEN excluded.${c} ELSE r.${c} END`;
const maxOf = (c: string) => `CASE WHEN excluded.${c} IS NULL THEN r.${c} WHEN r.${c} IS NULL OR excluded.${c} > r.${c} THEN excluded.${c} ELSE r.${c} END`;
const sumOf = (c: string) => `${c} = r.${c} + excluded.${c}`;

const ZONE_COLS = ['store_id', 'bucket_ts', 'zone_id', 'is_staff', 'n_events', 'dwell_sum', 'dwell_n', 'first_seen', 'last_seen'] as const;

const B = ROLLUP_BUCKET_MS;
const count = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
/**
 * The rollup of events with id in (?, ?], computed by the database: the same definitions as rollUp() in
 * hub/analytics/rollup.ts (the reference the tests hold this to), without shipping every event to JS and back.
 */
const VISITOR_FOLD_SQL = `INSERT INTO visitor_rollups AS r (${COLS.join(', ')})
  SELECT store_id, (ts / ${B}) * ${B}, visitor_id, COALESCE(zone_id, ''), is_staff, COUNT(*),
    MIN(CASE WHEN event_type IN ('ENTRY', 'REENTRY') THEN ts END), MIN(CASE WHEN event_type = 'ENTRY' THEN ts END),
    MAX(CASE WHEN event_type = 'EXIT' THEN ts END), MIN(ts), MAX(ts), ${count("event_type IN ('ZONE_ENTER', 'ZONE_DWELL')")},
    ${count("event_type = 'BILLING_QUEUE_JOIN'")}, ${count("event_type = 'BILLING_QUEUE_ABANDON'")},
    SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN dwell_ms ELSE 0 END), ${count("event_type = 'ZONE_DWELL'")}
  FROM events WHERE id > ? AND id <= ? GROUP BY store_id, (ts / ${B}) * ${B}, visitor_id, COALESCE(zone_id, ''), is_staff
  ON CONFLICT (store_id, bucket_ts, visitor_id, zone_id, is_staff) DO UPDATE SET
    ${sumOf('n_events')}, ${sumOf('zone_events')}, ${sumOf('joins')}, ${sumOf('abandons')}, ${sumOf('dwell_sum')}, ${sumOf('dwell_n')},
    first_in = ${minOf('first_in')}, first_entry = ${minOf('first_entry')}, last_exit = ${maxOf('last_exit')},
    first_seen = ${minOf('first_seen')}, last_seen = ${maxOf('last_seen')}`;

const ZONE_FOLD_SQL = `INSERT INTO zone_rollups AS r (${ZONE_COLS.join(', ')})
  SELECT store_id, (ts / ${B}) * ${B}, COALESCE(zone_id, ''), is_staff, COUNT(*),
    SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN dwell_ms ELSE 0 END), ${count("event_type = 'ZONE_DWELL'")}, MIN(ts), MAX(ts)
  FROM events WHERE id > ? AND id <= ? GROUP BY store_id, (ts / ${B}) * ${B}, COALESCE(zone_id, ''), is_staff
  ON CONFLICT (store_id, bucket_ts, zone_id, is_staff) DO UPDATE SET
    ${sumOf('n_events')}, ${sumOf('dwell_sum')}, ${sumOf('dwell_n')}, first_seen = ${minOf('first_seen')}, last_seen = ${maxOf('last_seen')}`;

/** Folds up to BATCH_EVENTS events past the watermark into the rollups; returns how many. */
async function rollUpWith(exec: WriteExec, dialect: Dialect): Promise<number> {
  // Two folds must never read the same watermark (two hubs, or two repositories in one process): on PostgreSQL
  // the state row is locked; SQLite's single writer already serialises them.
  const [state] = await exec.all<{ last_event_row: number | string }>(
    `SELECT last_event_row FROM rollup_state WHERE name = ?${dialect === 'pg' ? ' FOR UPDATE' : ''}`, [STATE]);
  const after = Number(state?.last_event_row ?? 0);
  const [range] = await exec.all<{ upto: number | string | null; n: number | string }>(
    'SELECT MAX(id) AS upto, COUNT(*) AS n FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?) AS batch', [after, BATCH_EVENTS]);
  if (range?.upto === null || range?.upto === undefined) return 0;
  const upto = Number(range.upto);
  await exec.run(VISITOR_FOLD_SQL, [after, upto]);
  await exec.run(ZONE_FOLD_SQL, [after, upto]);
  await exec.run(
    'INSERT INTO rollup_state (name, last_event_row) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_event_row = excluded.last_event_row',
    [STATE, upto]);
  return Number(range.n);
}

export interface FoldStep {
  /** Staged events moved into events (SQLite). */
  moved: number;
  /** Events folded into the rollups. */
  rolled: number;
  /** True when the rollups have more to fold. */
  more: boolean;
  /** Highest id moved from the staging file (0: none), for the stager to forget. */
  upto: number;
}

/**
 * One fold step, in one write transaction: on SQLite, every staged event moves into events
 * (hub/store/event-staging.ts; with `stagingFile`, also those of the attached staging file); then up to BATCH_EVENTS events past the watermark are folded into the rollups.
 * Runs on the hub's connection or in the SQLite writer thread.
 */
export async function foldStepWith(exec: WriteExec, dialect: Dialect, opts: { stagingFile?: boolean } = {}): Promise<FoldStep> {
  let moved = dialect === 'sqlite' ? await moveStagedWith(exec) : 0;
  let upto = 0;
  if (opts.stagingFile) {
    const fromFile = await moveFromStagingFileWith(exec);
    moved += fromFile.moved;
    upto = fromFile.upto;
  }
  const rolled = await rollUpWith(exec, dialect);
  return { moved, rolled, more: rolled >= BATCH_EVENTS, upto };
}

/** Runs fold steps until nothing is left; returns the events folded into the rollups. */
export async function foldAll(step: () => Promise<FoldStep>): Promise<number> {
  let total = 0;
  for (;;) {
    const { rolled, more } = await step();
    total += rolled;
    if (!more) return total;
  }
}

/** Folds on the hub's own connection (PostgreSQL, SQLite :memory:, tools that open a file directly). */
export function foldInProcess(db: Db): Promise<number> {
  // The events-write lock is not needed: the watermark row is locked, and ids below it are already visible.
  return foldAll(() => withWriteTx(db, (exec) => foldStepWith(exec, db.dialect), { eventsLock: false }));
}

/**
 * Keeps visitor_rollups up to date with the events table. A watermark (the highest events.id folded) makes it
 * exact and restart-safe without touching the ingest transaction: whatever committed after the watermark is
 * folded by the next `catchUp`, which every analytics query awaits first, and which the ingest bus also
 * triggers. This relies on event ids becoming visible in order: SQLite has one writer, and on PostgreSQL every
 * event-writing transaction of every hub replica holds one advisory lock (hub/store/write-tx.ts). On SQLite the
 * same pass first moves staged events into events, so a query after `catchUp` sees every committed event.
 * `fold` runs the passes elsewhere (the SQLite writer thread); by default they run on this process's connection.
 */
export function createRollupRepository(db: Db, opts: { fold?: () => Promise<number> } = {}) {
  const fold = opts.fold ?? (() => foldInProcess(db));
  let chain: Promise<number> = Promise.resolve(0);
  let queued: Promise<number> | null = null;

  return {
    /** Folds every committed event not yet in the rollup; calls are serialised. Returns events folded. */
    catchUp(): Promise<number> {
      // A pass that has not started yet will see everything committed so far: callers can share it.
      if (queued) return queued;
      const run = () => {
        queued = null;
        return fold();
      };
      queued = chain = chain.then(run, run);
      return queued;
    },
  };
}
export type RollupRepository = ReturnType<typeof createRollupRepository>;
