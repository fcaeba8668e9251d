import type { DoorEvent, QueueEvent } from '../analytics/types.js';
import type { Db } from './db.js';

const n = (v: unknown): number => Number(v ?? 0);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * The raw reads behind occupancy, buying units and queue waits (hub/analytics/occupancy.ts, buying-units.ts,
 * queue-wait.ts). These need event order and two metadata fields (`group_id`, `queue_wait_ms`) that the rollups
 * do not keep; the rows are few (door events are ~3 a visitor, queue events ~3 a queue), so they are read from
 * `events` through the type and zone indexes rather than widening the rollup write path.
 */
export function createKpiRepository(db: Db) {
  const { knex } = db;
  const rows = async <T>(sql: string, b: (string | number)[]): Promise<T[]> => {
    const res = await knex.raw(sql, b);
    return db.dialect === 'pg' ? (res as { rows: T[] }).rows : (res as T[]);
  };
  // metadata is stored as the JSON text of the validated event; both databases read one key of it in SQL.
  const meta = (key: string) => (db.dialect === 'pg' ? `(metadata::json ->> '${key}')` : `json_extract(metadata, '$.${key}')`);

  return {
    /** Non-staff ENTRY/REENTRY/EXIT in [from, to), by time then by the visitor's session_seq. */
    async doorEvents(storeId: string, from: number, to: number): Promise<DoorEvent[]> {
      const out = await rows<Record<string, unknown>>(
        `SELECT visitor_id, event_type, ts, CASE WHEN event_type = 'EXIT' THEN NULL ELSE ${meta('group_id')} END AS group_id
         FROM events WHERE store_id = ? AND event_type IN ('ENTRY','REENTRY','EXIT') AND ts >= ? AND ts < ? AND is_staff = FALSE
         ORDER BY ts, session_seq`,
        [storeId, from, to],
      );
      return out.map((r) => ({ visitor_id: String(r.visitor_id), type: r.event_type as DoorEvent['type'], ts: n(r.ts), group_id: strOrNull(r.group_id) }));
    },

    /** Non-staff joins, abandons and ZONE_EXITs in the billing zones in [from, to), by time then session_seq. */
    async queueEvents(storeId: string, from: number, to: number, billingZones: readonly string[]): Promise<QueueEvent[]> {
      if (billingZones.length === 0) return [];
      const zones = billingZones.map(() => '?').join(',');
      const out = await rows<Record<string, unknown>>(
        `SELECT visitor_id, zone_id, event_type, ts, CASE WHEN event_type = 'ZONE_EXIT' THEN ${meta('queue_wait_ms')} END AS wait
         FROM events WHERE store_id = ? AND zone_id IN (${zones}) AND ts >= ? AND ts < ? AND is_staff = FALSE
           AND event_type IN ('BILLING_QUEUE_JOIN','BILLING_QUEUE_ABANDON','ZONE_EXIT')
         ORDER BY ts, session_seq`,
        [storeId, ...billingZones, from, to],
      );
      return out.map((r) => {
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
    },
  };
}
export type KpiRepository = ReturnType<typeof createKpiRepository>;
