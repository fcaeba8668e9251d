import type { DoorEvent, QueueEvent } from '../analytics/types.js';
import type { Db } from './db.js';
import { DOOR_TYPES, metaKey as meta, SERVED_EXIT } from './kpi-indexes.js';

const n = (v: unknown): number => Number(v ?? 0);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

const QUEUE_ORDER: Record<QueueEvent['type'], number> = { BILLING_QUEUE_JOIN: 0, ZONE_EXIT: 1, BILLING_QUEUE_ABANDON: 2 };

/**
 * The raw reads behind occupancy, buying units and queue waits (hub/analytics/occupancy.ts, buying-units.ts,
 * queue-wait.ts). These need event order and two metadata fields (`group_id`, `queue_wait_ms`) that the rollups
 * do not keep; the rows are few (door events are ~2 a visitor, queue events ~2 a queue), and on SQLite every one
 * is answered from an index (the partial indexes of kpi-indexes.ts, and the covering zone index for joins and
 * abandons).
 */
export function createKpiRepository(db: Db) {
  const { knex, dialect } = db;
  const rows = async <T>(sql: string, b: (string | number)[]): Promise<T[]> => {
    const res = await knex.raw(sql, b);
    return dialect === 'pg' ? (res as { rows: T[] }).rows : (res as T[]);
  };
  // Left to itself, SQLite's planner may read joins and abandons through another index, then look every row up for
  // its zone and visitor; the covering zone index answers them from the index alone (4× faster over 30 days).
  const byZone = dialect === 'sqlite' ? 'INDEXED BY events_store_zone_ts' : '';

  return {
    /** Non-staff ENTRY/REENTRY/EXIT in [from, to), by time; at one instant, arrivals before exits. */
    async doorEvents(storeId: string, from: number, to: number): Promise<DoorEvent[]> {
      // ORDER BY ts alone is the index's own order (no sort in SQL); the tie-break is a near-free pass in JS.
      const out = await rows<Record<string, unknown>>(
        `SELECT visitor_id, event_type, ts, ${meta(dialect, 'group_id')} AS group_id FROM events
         WHERE store_id = ? AND ts >= ? AND ts < ? AND ${DOOR_TYPES} AND is_staff = FALSE ORDER BY ts`,
        [storeId, from, to],
      );
      const rank = (t: unknown) => (t === 'EXIT' ? 1 : 0);
      out.sort((a, b) => n(a.ts) - n(b.ts) || rank(a.event_type) - rank(b.event_type));
      return out.map((r) => ({
        visitor_id: String(r.visitor_id),
        type: r.event_type as DoorEvent['type'],
        ts: n(r.ts),
        // Only arrivals form groups; an EXIT's group (hand-written events) is ignored.
        group_id: r.event_type === 'EXIT' ? null : strOrNull(r.group_id),
      }));
    },

    /**
     * Non-staff BILLING_QUEUE_JOIN / BILLING_QUEUE_ABANDON, and ZONE_EXITs carrying `queue_wait_ms`, in the billing
     * zones in [from, to); by time, and at the same instant a join before an exit before an abandon. On SQLite both
     * reads are answered from indexes alone.
     */
    async queueEvents(storeId: string, from: number, to: number, billingZones: readonly string[]): Promise<QueueEvent[]> {
      if (billingZones.length === 0) return [];
      const zones = billingZones.map(() => '?').join(',');
      const b = [storeId, ...billingZones, from, to];
      const [queue, served] = await Promise.all([
        rows<Record<string, unknown>>(
          `SELECT visitor_id, zone_id, event_type, ts FROM events ${byZone}
           WHERE store_id = ? AND zone_id IN (${zones}) AND ts >= ? AND ts < ? AND is_staff = FALSE
             AND event_type IN ('BILLING_QUEUE_JOIN','BILLING_QUEUE_ABANDON')`,
          b,
        ),
        rows<Record<string, unknown>>(
          `SELECT visitor_id, zone_id, 'ZONE_EXIT' AS event_type, ts, ${meta(dialect, 'queue_wait_ms')} AS wait FROM events
           WHERE store_id = ? AND zone_id IN (${zones}) AND ts >= ? AND ts < ? AND is_staff = FALSE AND ${SERVED_EXIT(dialect)}`,
          b,
        ),
      ]);
      const out = [...queue, ...served].map((r) => {
        const wait = r.wait === null || r.wait === undefined ? null : Number(r.wait);
        return {
          visitor_id: String(r.visitor_id),
          zone_id: String(r.zone_id),
          type: r.event_type as QueueEvent['type'],
          ts: n(r.ts),
          // A hand-written event may carry a non-number; only a whole non-negative wait is a measurement.
          queue_wait_ms: wait !== null && Number.isSafeInteger(wait) && wait >= 0 ? wait : null,
        };
      });
      // At one instant the agent writes a join before an exit before an abandon (agent/behaviour/events.ts).
      return out.sort((a, c) => a.ts - c.ts || QUEUE_ORDER[a.type] - QUEUE_ORDER[c.type]);
    },
  };
}
export type KpiRepository = ReturnType<typeof createKpiRepository>;
