import type { BillingPresence, DwellSum, QueueSample, VisitorFacts } from '../analytics/types.js';
import type { Db } from './db.js';

type Bind = string | number;

/** Zone ids of the layout the queries need to tell zones apart. */
export interface ZoneSets {
  billing: readonly string[];
  entrance: readonly string[];
}

/** `col IN (?,…)` with its bindings; an empty list is false (not a syntax error). */
function inList(col: string, values: readonly string[]): [string, Bind[]] {
  if (values.length === 0) return ['1 = 0', []];
  return [`${col} IN (${values.map(() => '?').join(',')})`, [...values]];
}

const n = (v: unknown): number => Number(v ?? 0);
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

// Staff events are excluded by `is_staff = FALSE` everywhere (SQLite ≥ 3.23 reads FALSE as 0, PostgreSQL as boolean).
const CUSTOMER = 'store_id = ? AND ts >= ? AND ts < ? AND is_staff = FALSE';

/**
 * The SQL behind the metrics: aggregation happens in the database (one row per visitor, per zone or per hour),
 * the matching and the rules in hub/analytics. Every statement is plain SQL that runs on SQLite and PostgreSQL;
 * bucket arithmetic is integer division on BIGINT epoch ms (CAST keeps SQLite's REAL division honest).
 */
export function createAnalyticsRepository(db: Db) {
  const { knex } = db;
  const rows = async <T>(sql: string, b: Bind[]): Promise<T[]> => {
    const res = await knex.raw(sql, b);
    return db.dialect === 'pg' ? (res as { rows: T[] }).rows : (res as T[]);
  };

  return {
    /** One row per non-staff visitor with any event in [from, to). */
    async visitorFacts(storeId: string, from: number, to: number, zones: ZoneSets): Promise<VisitorFacts[]> {
      const [notEntrance, nb] = inList('zone_id', zones.entrance);
      const [billing, bb] = inList('zone_id', zones.billing);
      const sql = `SELECT visitor_id,
          MIN(CASE WHEN event_type IN ('ENTRY','REENTRY') THEN ts END) AS first_in,
          MIN(CASE WHEN event_type = 'ENTRY' THEN ts END) AS first_entry,
          MAX(CASE WHEN event_type = 'EXIT' THEN ts END) AS last_exit,
          MIN(ts) AS first_seen,
          MAX(CASE WHEN event_type IN ('ZONE_ENTER','ZONE_DWELL','BILLING_QUEUE_JOIN') AND NOT (${notEntrance}) THEN 1 ELSE 0 END) AS zone_visit,
          MAX(CASE WHEN event_type = 'BILLING_QUEUE_JOIN' OR (event_type IN ('ZONE_ENTER','ZONE_DWELL') AND ${billing}) THEN 1 ELSE 0 END) AS billing,
          MAX(CASE WHEN event_type = 'BILLING_QUEUE_JOIN' THEN 1 ELSE 0 END) AS joined_queue,
          MAX(CASE WHEN event_type = 'BILLING_QUEUE_ABANDON' THEN 1 ELSE 0 END) AS abandoned_queue
        FROM events WHERE ${CUSTOMER} GROUP BY visitor_id`;
      const out = await rows<Record<string, unknown>>(sql, [...nb, ...bb, storeId, from, to]);
      return out.map((r) => ({
        visitor_id: String(r.visitor_id),
        first_in: nOrNull(r.first_in),
        first_entry: nOrNull(r.first_entry),
        last_exit: nOrNull(r.last_exit),
        first_seen: n(r.first_seen),
        zone_visit: n(r.zone_visit) === 1,
        billing: n(r.billing) === 1,
        joined_queue: n(r.joined_queue) === 1,
        abandoned_queue: n(r.abandoned_queue) === 1,
      }));
    },

    /** Earliest non-staff ENTRY per visitor in [from, to): the start of visits that began before a window. */
    async earliestEntries(storeId: string, from: number, to: number): Promise<Map<string, number>> {
      const out = await rows<{ visitor_id: string; ts: unknown }>(
        `SELECT visitor_id, MIN(ts) AS ts FROM events WHERE ${CUSTOMER} AND event_type = 'ENTRY' GROUP BY visitor_id`,
        [storeId, from, to],
      );
      return new Map(out.map((r) => [r.visitor_id, n(r.ts)]));
    },

    /** Billing presences (purchase candidates) of non-staff visitors in [from, to), oldest first. */
    async billingPresences(storeId: string, from: number, to: number, billingZones: readonly string[]): Promise<BillingPresence[]> {
      const [billing, bb] = inList('zone_id', billingZones);
      const out = await rows<{ visitor_id: string; ts: unknown }>(
        `SELECT visitor_id, ts FROM events WHERE ${CUSTOMER}
           AND (event_type = 'BILLING_QUEUE_JOIN' OR (event_type IN ('ZONE_ENTER','ZONE_DWELL') AND ${billing}))
         ORDER BY ts`,
        [storeId, from, to, ...bb],
      );
      return out.map((r) => ({ visitor_id: r.visitor_id, ts: n(r.ts) }));
    },

    /** Queue-depth readings of non-staff events in [from, to), oldest first. */
    async queueSamples(storeId: string, from: number, to: number): Promise<QueueSample[]> {
      const out = await rows<Record<string, unknown>>(
        `SELECT ts, camera_id, zone_id, queue_depth FROM events WHERE ${CUSTOMER} AND queue_depth IS NOT NULL ORDER BY ts`,
        [storeId, from, to],
      );
      return out.map((r) => ({ ts: n(r.ts), camera_id: String(r.camera_id), zone_id: (r.zone_id as string | null) ?? null, queue_depth: n(r.queue_depth) }));
    },

    /** ZONE_DWELL sum/count per hour bucket (index from `origin`), or in one bucket when `origin` is null. */
    async dwellByHour(storeId: string, from: number, to: number, origin: number | null): Promise<Map<number, DwellSum>> {
      const bucket = origin === null ? '0' : 'CAST((ts - ?) / 3600000 AS INTEGER)';
      const out = await rows<{ b: unknown; s: unknown; c: unknown }>(
        `SELECT ${bucket} AS b, SUM(dwell_ms) AS s, COUNT(*) AS c FROM events
         WHERE ${CUSTOMER} AND event_type = 'ZONE_DWELL' GROUP BY 1`,
        origin === null ? [storeId, from, to] : [origin, storeId, from, to],
      );
      return new Map(out.map((r) => [n(r.b), { sum_ms: n(r.s), n: n(r.c) }]));
    },

    /** Staff events per hour bucket (see dwellByHour). */
    async staffByHour(storeId: string, from: number, to: number, origin: number | null): Promise<Map<number, number>> {
      const bucket = origin === null ? '0' : 'CAST((ts - ?) / 3600000 AS INTEGER)';
      const out = await rows<{ b: unknown; c: unknown }>(
        `SELECT ${bucket} AS b, COUNT(*) AS c FROM events WHERE store_id = ? AND ts >= ? AND ts < ? AND is_staff = TRUE GROUP BY 1`,
        origin === null ? [storeId, from, to] : [origin, storeId, from, to],
      );
      return new Map(out.map((r) => [n(r.b), n(r.c)]));
    },

    /** Per zone: distinct non-staff visitors, and ZONE_DWELL sum/count. */
    async zoneStats(storeId: string, from: number, to: number): Promise<{ visitors: Map<string, number>; dwell: Map<string, DwellSum> }> {
      const out = await rows<{ zone_id: string; v: unknown; s: unknown; c: unknown }>(
        `SELECT zone_id, COUNT(DISTINCT visitor_id) AS v,
            SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN dwell_ms ELSE 0 END) AS s,
            SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN 1 ELSE 0 END) AS c
         FROM events WHERE ${CUSTOMER} AND event_type IN ('ZONE_ENTER','ZONE_DWELL','BILLING_QUEUE_JOIN') GROUP BY zone_id`,
        [storeId, from, to],
      );
      return {
        visitors: new Map(out.map((r) => [r.zone_id, n(r.v)])),
        dwell: new Map(out.map((r) => [r.zone_id, { sum_ms: n(r.s), n: n(r.c) }])),
      };
    },

    /** Per zone, the sorted minutes (as epoch ms) in which a customer was in it: the dead-zone rule's input. */
    async zonePresenceMinutes(storeId: string, from: number, to: number): Promise<Map<string, number[]>> {
      const out = await rows<{ zone_id: string; m: unknown }>(
        `SELECT zone_id, CAST((ts - ?) / 60000 AS INTEGER) AS m FROM events
         WHERE ${CUSTOMER} AND zone_id IS NOT NULL GROUP BY zone_id, 2 ORDER BY zone_id, 2`,
        [from, storeId, from, to],
      );
      const map = new Map<string, number[]>();
      for (const r of out) {
        const list = map.get(r.zone_id) ?? [];
        list.push(from + n(r.m) * 60_000);
        map.set(r.zone_id, list);
      }
      return map;
    },

    /** Newest event per camera in [from, to) (staff included: a staff event proves the feed is alive). */
    async cameraLastEvent(storeId: string, from: number, to: number): Promise<Map<string, number>> {
      const out = await rows<{ camera_id: string; ts: unknown }>(
        `SELECT camera_id, MAX(ts) AS ts FROM events WHERE store_id = ? AND ts >= ? AND ts < ? GROUP BY camera_id`,
        [storeId, from, to],
      );
      return new Map(out.map((r) => [r.camera_id, n(r.ts)]));
    },
  };
}
export type AnalyticsRepository = ReturnType<typeof createAnalyticsRepository>;
