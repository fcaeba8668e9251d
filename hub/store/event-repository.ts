import type { Knex } from 'knex';
import type { StoreEvent } from '../../common/event.js';
import type { Db } from './db.js';

/** One row of `events`; times are epoch ms. */
export interface EventRow {
  event_id: string;
  store_id: string;
  camera_id: string;
  visitor_id: string;
  event_type: string;
  ts: number;
  zone_id: string | null;
  dwell_ms: number;
  is_staff: boolean;
  confidence: number;
  queue_depth: number | null;
  session_seq: number;
  metadata: string;
  received_at: number;
}

export function toRow(e: StoreEvent, receivedAt: number): EventRow {
  return {
    event_id: e.event_id,
    store_id: e.store_id,
    camera_id: e.camera_id,
    visitor_id: e.visitor_id,
    event_type: e.event_type,
    ts: Date.parse(e.timestamp),
    zone_id: e.zone_id,
    dwell_ms: e.dwell_ms,
    is_staff: e.is_staff,
    confidence: e.confidence,
    queue_depth: e.metadata.queue_depth ?? null,
    session_seq: e.metadata.session_seq,
    metadata: JSON.stringify(e.metadata),
    received_at: receivedAt,
  };
}

/** Rows per INSERT statement: 15 columns × 1000 stays under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const CHUNK_ROWS = 1000;

export function createEventRepository(db: Db) {
  const { knex } = db;

  async function insertChunk(trx: Knex.Transaction, rows: EventRow[]): Promise<string[]> {
    // ON CONFLICT DO NOTHING: a stored event_id is never overwritten, whatever the new content (issue 2).
    const res: { event_id: string }[] = await trx('events').insert(rows).onConflict('event_id').ignore().returning('event_id');
    return res.map((r) => r.event_id);
  }

  async function touchActivity(trx: Knex.Transaction, rows: EventRow[], inserted: Set<string>): Promise<void> {
    const byStore = new Map<string, { last: number; count: number }>();
    for (const r of rows) {
      if (!inserted.has(r.event_id)) continue;
      const a = byStore.get(r.store_id) ?? { last: 0, count: 0 };
      a.last = Math.max(a.last, r.ts);
      a.count += 1;
      byStore.set(r.store_id, a);
    }
    if (byStore.size === 0) return;
    const now = Date.now();
    const values = [...byStore].map(([store_id, a]) => ({
      store_id,
      last_event_ts: a.last,
      last_received_at: now,
      event_count: a.count,
    }));
    await trx('store_activity')
      .insert(values)
      .onConflict('store_id')
      .merge({
        last_event_ts: knex.raw(
          'CASE WHEN excluded.last_event_ts > store_activity.last_event_ts THEN excluded.last_event_ts ELSE store_activity.last_event_ts END',
        ),
        last_received_at: knex.raw('excluded.last_received_at'),
        event_count: knex.raw('store_activity.event_count + excluded.event_count'),
      });
  }

  return {
    /** Inserts rows in one transaction; returns the event_ids that were new (the rest were duplicates). */
    async insertRows(rows: EventRow[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      return knex.transaction(async (trx) => {
        const inserted = new Set<string>();
        for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
          for (const id of await insertChunk(trx, rows.slice(i, i + CHUNK_ROWS))) inserted.add(id);
        }
        await touchActivity(trx, rows, inserted);
        return inserted;
      });
    },

    async count(storeId?: string): Promise<number> {
      const q = knex('events').count<{ n: number | string }[]>({ n: '*' });
      if (storeId) q.where({ store_id: storeId });
      const [row] = await q;
      return Number(row?.n ?? 0);
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
