import { rollUp, zoneRollUp, type RollupEvent, type RollupRow, type ZoneRollupRow } from '../analytics/rollup.js';
import type { Db } from './db.js';

const STATE = 'visitor_rollups';
/** Events folded per transaction: bounded memory, and the writer is never kept waiting long. */
const BATCH_EVENTS = 20_000;
const COLS = [
  'store_id', 'bucket_ts', 'visitor_id', 'zone_id', 'is_staff', 'n_events', 'first_in', 'first_entry', 'last_exit',
  'first_seen', 'last_seen', 'zone_events', 'joins', 'abandons', 'dwell_sum', 'dwell_n',
] as const;
/** Rows per upsert statement: 16 columns × 1000 is under both databases' parameter limits. */
const CHUNK = 1000;

// MIN/MAX that keep the non-null side (SQLite's scalar min() returns NULL if either argument is NULL).
const minOf = (c: string) => `CASE WHEN excluded.${c} IS NULL THEN r.${c} WHEN r.${c} IS NULL OR excluded.${c} < r.${c} THEN excluded.${c} ELSE r.${c} END`;
const maxOf = (c: string) => `CASE WHEN excluded.${c} IS NULL THEN r.${c} WHEN r.${c} IS NULL OR excluded.${c} > r.${c} THEN excluded.${c} ELSE r.${c} END`;
const sumOf = (c: string) => `${c} = r.${c} + excluded.${c}`;

const ZONE_COLS = ['store_id', 'bucket_ts', 'zone_id', 'is_staff', 'n_events', 'dwell_sum', 'dwell_n', 'first_seen', 'last_seen'] as const;

function zoneUpsertSql(n: number): string {
  const row = `(${ZONE_COLS.map(() => '?').join(',')})`;
  return `INSERT INTO zone_rollups AS r (${ZONE_COLS.join(', ')}) VALUES ${Array(n).fill(row).join(',')}
    ON CONFLICT (store_id, bucket_ts, zone_id, is_staff) DO UPDATE SET
      ${sumOf('n_events')}, ${sumOf('dwell_sum')}, ${sumOf('dwell_n')}, first_seen = ${minOf('first_seen')}, last_seen = ${maxOf('last_seen')}`;
}

const bindZoneRow = (r: ZoneRollupRow) => [r.store_id, r.bucket_ts, r.zone_id, r.is_staff ? 1 : 0, r.n_events, r.dwell_sum, r.dwell_n, r.first_seen, r.last_seen];

function upsertSql(n: number): string {
  const row = `(${COLS.map(() => '?').join(',')})`;
  return `INSERT INTO visitor_rollups AS r (${COLS.join(', ')}) VALUES ${Array(n).fill(row).join(',')}
    ON CONFLICT (store_id, bucket_ts, visitor_id, zone_id, is_staff) DO UPDATE SET
      ${sumOf('n_events')}, ${sumOf('zone_events')}, ${sumOf('joins')}, ${sumOf('abandons')}, ${sumOf('dwell_sum')}, ${sumOf('dwell_n')},
      first_in = ${minOf('first_in')}, first_entry = ${minOf('first_entry')}, last_exit = ${maxOf('last_exit')},
      first_seen = ${minOf('first_seen')}, last_seen = ${maxOf('last_seen')}`;
}

const bindRow = (r: RollupRow) => [
  r.store_id, r.bucket_ts, r.visitor_id, r.zone_id, r.is_staff ? 1 : 0, r.n_events, r.first_in, r.first_entry, r.last_exit,
  r.first_seen, r.last_seen, r.zone_events, r.joins, r.abandons, r.dwell_sum, r.dwell_n,
];

/**
 * Keeps visitor_rollups up to date with the events table. A watermark (the highest events.id folded) makes it
 * exact and restart-safe without touching the ingest transaction: whatever committed after the watermark is
 * folded by the next `catchUp`, which every analytics query awaits first, and which the ingest bus also
 * triggers. This relies on event ids becoming visible in order: SQLite has one writer, and on PostgreSQL every
 * event-writing transaction of every hub replica holds one advisory lock (hub/store/write-tx.ts).
 */
export function createRollupRepository(db: Db) {
  const { knex } = db;
  let chain: Promise<number> = Promise.resolve(0);
  let queued: Promise<number> | null = null;

  async function foldBatch(): Promise<number> {
    return knex.transaction(async (trx) => {
      // Two folds must never read the same watermark (two hubs, or two repositories in one process): on PostgreSQL
      // the state row is locked; SQLite's single writer connection already serialises them.
      const q = trx('rollup_state').where({ name: STATE });
      const state = await (db.dialect === 'pg' ? q.forUpdate() : q).first();
      const after = Number(state?.last_event_row ?? 0);
      const events = await trx('events')
        .select('id', 'store_id', 'visitor_id', 'event_type', 'ts', 'zone_id', 'dwell_ms', 'is_staff')
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH_EVENTS);
      if (events.length === 0) return 0;
      const rows = rollUp(
        events.map((e): RollupEvent => ({
          store_id: e.store_id, visitor_id: e.visitor_id, event_type: e.event_type, ts: Number(e.ts),
          zone_id: e.zone_id, dwell_ms: Number(e.dwell_ms), is_staff: e.is_staff === true || Number(e.is_staff) === 1,
        })),
      );
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        await trx.raw(upsertSql(chunk.length), chunk.flatMap(bindRow));
      }
      const zoneRows = zoneRollUp(rows);
      for (let i = 0; i < zoneRows.length; i += CHUNK) {
        const chunk = zoneRows.slice(i, i + CHUNK);
        await trx.raw(zoneUpsertSql(chunk.length), chunk.flatMap(bindZoneRow));
      }
      const last = Number(events[events.length - 1]!.id);
      await trx('rollup_state').insert({ name: STATE, last_event_row: last }).onConflict('name').merge();
      return events.length;
    });
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await foldBatch();
      total += n;
      if (n < BATCH_EVENTS) return total;
    }
  }

  return {
    /** Folds every committed event not yet in the rollup; calls are serialised. Returns events folded. */
    catchUp(): Promise<number> {
      // A pass that has not started yet will see everything committed so far: callers can share it.
      if (queued) return queued;
      const run = () => {
        queued = null;
        return drain();
      };
      queued = chain = chain.then(run, run);
      return queued;
    },
  };
}
export type RollupRepository = ReturnType<typeof createRollupRepository>;
