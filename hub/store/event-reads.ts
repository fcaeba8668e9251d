import type { Db } from './db.js';
import type { EventRow } from './event-row.js';

/** Per store: newest event time, last receipt and count, kept by every event write (read by /health). */
export interface StoreActivity {
  store_id: string;
  last_event_ts: number;
  last_received_at: number;
  event_count: number;
}

/**
 * The event reads both stores share. Reads never write and never wait for a writer: every committed event is
 * already in events, store_activity and the rollups (hub/store/event-write.ts).
 */
export function createEventReads(db: Db) {
  const { knex } = db;
  return {
    /** Events stored, of one store or of all. */
    async count(storeId?: string): Promise<number> {
      const q = knex('events').count<{ n: number | string }[]>({ n: '*' });
      if (storeId) q.where({ store_id: storeId });
      const [row] = await q;
      return Number(row?.n ?? 0);
    },

    /** The events of a store with from ≤ ts < to, oldest first, at most `limit` (bounded memory). */
    async window(storeId: string, from: number, to: number, limit = 10_000): Promise<EventRow[]> {
      const rows = await knex('events').where({ store_id: storeId }).andWhere('ts', '>=', from).andWhere('ts', '<', to)
        .orderBy([{ column: 'ts' }, { column: 'id' }]).limit(limit).select<Record<string, unknown>[]>('*');
      return rows.map((r) => ({ ...(r as unknown as EventRow), is_staff: Boolean(r.is_staff), ts: Number(r.ts), received_at: Number(r.received_at) }));
    },

    async storeActivity(): Promise<StoreActivity[]> {
      return knex('store_activity').select('*');
    },

    async ping(): Promise<void> {
      await knex.raw('select 1');
    },
  };
}
export type EventReads = ReturnType<typeof createEventReads>;
