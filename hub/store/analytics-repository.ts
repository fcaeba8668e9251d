import { mergeVisitorFacts, ROLLUP_BUCKET_MS, splitRange as splitAligned, type SplitRange } from '../analytics/rollup.js';
import { canonicalId, NO_LINKS, type VisitorLinks } from '../analytics/identity.js';
import type { BillingPresence, DwellSum, QueueSample, VisitorFacts } from '../analytics/types.js';
import type { Db } from './db.js';
import { pendingRollupRows } from './rollup-fold.js';
import { DOOR_TYPES, QUEUE_JOINS } from './kpi-indexes.js';

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
/** Ids per IN list: far under both databases' parameter limits. */
const ID_CHUNK = 500;
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const addTo = <K>(m: Map<K, DwellSum>, k: K, s: number, c: number) => {
  const cur = m.get(k) ?? { sum_ms: 0, n: 0 };
  m.set(k, { sum_ms: cur.sum_ms + s, n: cur.n + c });
};

// Staff events are excluded by `is_staff = FALSE` everywhere (SQLite ≥ 3.23 reads FALSE as 0, PostgreSQL as boolean).
const CUSTOMER = 'store_id = ? AND ts >= ? AND ts < ? AND is_staff = FALSE';
const ROLLED = 'store_id = ? AND bucket_ts >= ? AND bucket_ts < ?';
const VISITOR_COLS = 'store_id, bucket_ts, visitor_id, zone_id, is_staff, camera_id, n_events, first_in, first_entry, last_exit, first_seen, last_seen, zone_events, joins, abandons, dwell_sum, dwell_n';
const ZONE_COLS = 'store_id, bucket_ts, zone_id, is_staff, n_events, dwell_sum, dwell_n, first_seen, last_seen';
/**
 * A rollup table's rows matching `where`, plus the events past the fold's watermark as rows of one event each
 * (hub/store/rollup-fold.ts): one statement, one snapshot, so every event counts exactly once. `where`'s bindings
 * are needed twice (`twice`).
 */
const rolledRows = (table: 'visitor_rollups' | 'zone_rollups', where: string) => {
  const cols = table === 'visitor_rollups' ? VISITOR_COLS : ZONE_COLS;
  return `(SELECT ${cols} FROM ${table} WHERE ${where} UNION ALL SELECT ${cols} FROM (${pendingRollupRows[table]}) AS pending WHERE ${where}) AS r`;
};
const twice = <T>(b: T[]): T[] => [...b, ...b];
/** Epoch ms floored to the minute (both databases: integer division of BIGINT, widened back to BIGINT). */
const MINUTE = (col: string) => `CAST(${col} / 60000 AS BIGINT) * 60000`;
const hourOf = (col: string) => `CAST((${col} - ?) / 3600000 AS INTEGER)`;

/**
 * The SQL behind the metrics: aggregation happens in the database, matching and rules in hub/analytics.
 * A window is read from visitor_rollups for its 30-minute-aligned middle and from raw events for its ragged
 * edges (hub/analytics/rollup.ts, splitRange); the two agree by construction (same definitions, tested).
 * Every statement runs on SQLite and PostgreSQL; bucket arithmetic is integer division on BIGINT epoch ms.
 */
export function createAnalyticsRepository(db: Db, opts: { rollups?: boolean } = {}) {
  const { knex } = db;
  // rollups: false reads everything from raw events: the reference the rollup path is tested against.
  const splitRange = opts.rollups === false ? (from: number, to: number) => ({ raw: [{ from, to }], rollup: null }) : splitAligned;
  const rows = async <T>(sql: string, b: Bind[]): Promise<T[]> => {
    const res = await knex.raw(sql, b);
    return db.dialect === 'pg' ? (res as { rows: T[] }).rows : (res as T[]);
  };
  const toFacts = (r: Record<string, unknown>): VisitorFacts => ({
    visitor_id: String(r.visitor_id),
    first_in: nOrNull(r.first_in),
    first_entry: nOrNull(r.first_entry),
    last_exit: nOrNull(r.last_exit),
    first_seen: n(r.first_seen),
    zone_visit: n(r.zone_visit) === 1,
    billing: n(r.billing) === 1,
    joined_queue: n(r.joined_queue) === 1,
    abandoned_queue: n(r.abandoned_queue) === 1,
  });

  async function rawFacts(storeId: string, from: number, to: number, zones: ZoneSets): Promise<VisitorFacts[]> {
    const [entrance, eb] = inList('zone_id', zones.entrance);
    const [billing, bb] = inList('zone_id', zones.billing);
    const sql = `SELECT visitor_id,
        MIN(CASE WHEN event_type IN ('ENTRY','REENTRY') THEN ts END) AS first_in,
        MIN(CASE WHEN event_type = 'ENTRY' THEN ts END) AS first_entry,
        MAX(CASE WHEN event_type = 'EXIT' THEN ts END) AS last_exit,
        MIN(ts) AS first_seen,
        MAX(CASE WHEN event_type IN ('ZONE_ENTER','ZONE_DWELL','BILLING_QUEUE_JOIN') AND NOT (${entrance}) THEN 1 ELSE 0 END) AS zone_visit,
        MAX(CASE WHEN event_type = 'BILLING_QUEUE_JOIN' OR (event_type IN ('ZONE_ENTER','ZONE_DWELL') AND ${billing}) THEN 1 ELSE 0 END) AS billing,
        MAX(CASE WHEN event_type = 'BILLING_QUEUE_JOIN' THEN 1 ELSE 0 END) AS joined_queue,
        MAX(CASE WHEN event_type = 'BILLING_QUEUE_ABANDON' THEN 1 ELSE 0 END) AS abandoned_queue
      FROM events WHERE ${CUSTOMER} GROUP BY visitor_id`;
    return (await rows<Record<string, unknown>>(sql, [...eb, ...bb, storeId, from, to])).map(toFacts);
  }

  async function rolledFacts(storeId: string, from: number, to: number, zones: ZoneSets): Promise<VisitorFacts[]> {
    const [entrance, eb] = inList('zone_id', zones.entrance);
    const [billing, bb] = inList('zone_id', zones.billing);
    const sql = `SELECT visitor_id, MIN(first_in) AS first_in, MIN(first_entry) AS first_entry, MAX(last_exit) AS last_exit,
        MIN(first_seen) AS first_seen,
        MAX(CASE WHEN (zone_events > 0 OR joins > 0) AND zone_id <> '' AND NOT (${entrance}) THEN 1 ELSE 0 END) AS zone_visit,
        MAX(CASE WHEN joins > 0 OR (zone_events > 0 AND ${billing}) THEN 1 ELSE 0 END) AS billing,
        MAX(CASE WHEN joins > 0 THEN 1 ELSE 0 END) AS joined_queue,
        MAX(CASE WHEN abandons > 0 THEN 1 ELSE 0 END) AS abandoned_queue
      FROM ${rolledRows('visitor_rollups', `${ROLLED} AND is_staff = FALSE`)} GROUP BY visitor_id`;
    return (await rows<Record<string, unknown>>(sql, [...eb, ...bb, ...twice([storeId, from, to])])).map(toFacts);
  }

  /** Per-hour sums from both sources; `origin` null = one bucket. Falls back to raw when buckets straddle hours. */
  async function perHour(
    storeId: string, from: number, to: number, origin: number | null,
    raw: (bucket: string) => string, rolled: (bucket: string) => string,
  ): Promise<Map<number, DwellSum>> {
    const aligned = origin === null || origin % ROLLUP_BUCKET_MS === 0;
    const split: SplitRange = aligned ? splitRange(from, to) : { raw: [{ from, to }], rollup: null };
    const bucket = (col: string) => (origin === null ? '0' : hourOf(col));
    const pre = origin === null ? [] : [origin];
    const out = new Map<number, DwellSum>();
    const parts = [
      ...split.raw.map((r) => rows<{ b: unknown; s: unknown; c: unknown }>(raw(bucket('ts')), [...pre, storeId, r.from, r.to])),
      ...(split.rollup ? [rows<{ b: unknown; s: unknown; c: unknown }>(rolled(bucket('bucket_ts')), [...pre, ...twice([storeId, split.rollup.from, split.rollup.to])])] : []),
    ];
    for (const part of await Promise.all(parts)) for (const r of part) addTo(out, n(r.b), n(r.s), n(r.c));
    return out;
  }

  return {
    /** One row per non-staff visitor with any event in [from, to). */
    async visitorFacts(storeId: string, from: number, to: number, zones: ZoneSets): Promise<VisitorFacts[]> {
      const split = splitRange(from, to);
      const parts = await Promise.all([
        ...split.raw.map((r) => rawFacts(storeId, r.from, r.to, zones)),
        ...(split.rollup ? [rolledFacts(storeId, split.rollup.from, split.rollup.to, zones)] : []),
      ]);
      return parts.length === 1 ? parts[0]! : mergeVisitorFacts(parts);
    },

    /** Earliest non-staff ENTRY per visitor in [from, to): the start of visits that began before a window. */
    async earliestEntries(storeId: string, from: number, to: number): Promise<Map<string, number>> {
      const out = await rows<{ visitor_id: string; ts: unknown }>(
        // The door-types term lets SQLite read the covering events_doors index (kpi-indexes.ts).
        `SELECT visitor_id, MIN(ts) AS ts FROM events WHERE store_id = ? AND ${DOOR_TYPES} AND event_type = 'ENTRY' AND ts >= ? AND ts < ? AND is_staff = FALSE GROUP BY visitor_id`,
        [storeId, from, to],
      );
      return new Map(out.map((r) => [r.visitor_id, n(r.ts)]));
    },

    /**
     * Billing presences of non-staff visitors in [from, to), oldest first: BILLING_QUEUE_JOIN anywhere (by the
     * queue-joins index on SQLite, the type index on PostgreSQL) plus ZONE_ENTER/ZONE_DWELL in billing zones (by the zone index).
     */
    async billingPresences(storeId: string, from: number, to: number, billingZones: readonly string[]): Promise<BillingPresence[]> {
      const [billing, bb] = inList('zone_id', billingZones);
      const out = await rows<{ visitor_id: string; ts: unknown }>(
        `SELECT visitor_id, ts FROM events WHERE store_id = ? AND ${QUEUE_JOINS} AND ts >= ? AND ts < ? AND is_staff = FALSE
         UNION ALL
         SELECT visitor_id, ts FROM events WHERE store_id = ? AND ${billing} AND ts >= ? AND ts < ? AND is_staff = FALSE
           AND event_type IN ('ZONE_ENTER','ZONE_DWELL')
         ORDER BY 2`,
        [storeId, from, to, storeId, ...bb, from, to],
      );
      return out.map((r) => ({ visitor_id: r.visitor_id, ts: n(r.ts) }));
    },

    /**
     * Which of `visitorIds` belong to `cameras` (a visitor id is made by one camera, so any event tells). Asked only
     * for the window's ids that neither entered nor are linked; each of them has events in [from, to), so the
     * window's rollups (which keep the camera) and its raw edges answer: no index on visitor ids is needed.
     */
    async visitorsOfCameras(storeId: string, from: number, to: number, visitorIds: readonly string[], cameras: readonly string[]): Promise<Set<string>> {
      const out = new Set<string>();
      if (cameras.length === 0 || visitorIds.length === 0) return out;
      const [inCams, cb] = inList('camera_id', cameras);
      const split = splitRange(from, to);
      for (let i = 0; i < visitorIds.length; i += ID_CHUNK) {
        const [inIds, ib] = inList('visitor_id', visitorIds.slice(i, i + ID_CHUNK));
        const parts = await Promise.all([
          ...split.raw.map((r) => rows<{ visitor_id: string }>(
            `SELECT DISTINCT visitor_id FROM events WHERE store_id = ? AND ts >= ? AND ts < ? AND ${inIds} AND ${inCams}`,
            [storeId, r.from, r.to, ...ib, ...cb])),
          ...(split.rollup
            ? [rows<{ visitor_id: string }>(`SELECT DISTINCT visitor_id FROM ${rolledRows('visitor_rollups', `${ROLLED} AND ${inIds} AND ${inCams}`)}`,
                twice([storeId, split.rollup.from, split.rollup.to, ...ib, ...cb]))]
            : []),
        ]);
        for (const part of parts) for (const r of part) out.add(r.visitor_id);
      }
      return out;
    },

    /** Queue-depth readings of non-staff events in billing zones in [from, to), oldest first. */
    async queueSamples(storeId: string, from: number, to: number, billingZones: readonly string[]): Promise<QueueSample[]> {
      const [billing, bb] = inList('zone_id', billingZones);
      const out = await rows<Record<string, unknown>>(
        `SELECT ts, camera_id, zone_id, queue_depth FROM events
         WHERE store_id = ? AND ${billing} AND ts >= ? AND ts < ? AND is_staff = FALSE AND queue_depth IS NOT NULL ORDER BY ts`,
        [storeId, ...bb, from, to],
      );
      return out.map((r) => ({ ts: n(r.ts), camera_id: String(r.camera_id), zone_id: (r.zone_id as string | null) ?? null, queue_depth: n(r.queue_depth) }));
    },

    /** ZONE_DWELL sum/count per hour bucket (index from `origin`), or in one bucket (0) when `origin` is null. */
    dwellByHour(storeId: string, from: number, to: number, origin: number | null): Promise<Map<number, DwellSum>> {
      return perHour(storeId, from, to, origin,
        (b) => `SELECT ${b} AS b, SUM(dwell_ms) AS s, COUNT(*) AS c FROM events WHERE ${CUSTOMER} AND event_type = 'ZONE_DWELL' GROUP BY 1`,
        (b) => `SELECT ${b} AS b, SUM(dwell_sum) AS s, SUM(dwell_n) AS c FROM ${rolledRows('zone_rollups', `${ROLLED} AND is_staff = FALSE`)} GROUP BY 1`,
      );
    },

    /** Staff events per hour bucket (see dwellByHour). */
    async staffByHour(storeId: string, from: number, to: number, origin: number | null): Promise<Map<number, number>> {
      const sums = await perHour(storeId, from, to, origin,
        (b) => `SELECT ${b} AS b, COUNT(*) AS s, 0 AS c FROM events WHERE store_id = ? AND ts >= ? AND ts < ? AND is_staff = TRUE GROUP BY 1`,
        (b) => `SELECT ${b} AS b, SUM(n_events) AS s, 0 AS c FROM ${rolledRows('zone_rollups', `${ROLLED} AND is_staff = TRUE`)} GROUP BY 1`,
      );
      return new Map([...sums].map(([k, v]) => [k, v.sum_ms]));
    },

    /**
     * Per zone: distinct non-staff visitors (ZONE_ENTER/ZONE_DWELL/BILLING_QUEUE_JOIN, counted and listed), and
     * ZONE_DWELL sum/count. Ids are counted under their canonical id (`links`), so a person seen by two cameras in a
     * zone counts once.
     */
    async zoneStats(storeId: string, from: number, to: number, links: VisitorLinks = NO_LINKS): Promise<{ visitors: Map<string, number>; dwell: Map<string, DwellSum>; members: Map<string, Set<string>> }> {
      const split = splitRange(from, to);
      type Pair = { zone_id: string; visitor_id: string; s: unknown; c: unknown };
      const parts = await Promise.all([
        ...split.raw.map((r) =>
          rows<Pair>(
            `SELECT zone_id, visitor_id, SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN dwell_ms ELSE 0 END) AS s,
               SUM(CASE WHEN event_type = 'ZONE_DWELL' THEN 1 ELSE 0 END) AS c
             FROM events WHERE ${CUSTOMER} AND event_type IN ('ZONE_ENTER','ZONE_DWELL','BILLING_QUEUE_JOIN') GROUP BY zone_id, visitor_id`,
            [storeId, r.from, r.to],
          ),
        ),
        ...(split.rollup
          ? [rows<Pair>(
              `SELECT zone_id, visitor_id, SUM(dwell_sum) AS s, SUM(dwell_n) AS c
               FROM ${rolledRows('visitor_rollups', `${ROLLED} AND is_staff = FALSE AND zone_id <> '' AND (zone_events > 0 OR joins > 0)`)}
               GROUP BY zone_id, visitor_id`,
              twice([storeId, split.rollup.from, split.rollup.to]),
            )]
          : []),
      ]);
      const seen = new Map<string, Set<string>>();
      const dwell = new Map<string, DwellSum>();
      for (const part of parts) {
        for (const r of part) {
          const set = seen.get(r.zone_id) ?? new Set<string>();
          set.add(canonicalId(links, r.visitor_id));
          seen.set(r.zone_id, set);
          addTo(dwell, r.zone_id, n(r.s), n(r.c));
        }
      }
      return { visitors: new Map([...seen].map(([z, s]) => [z, s.size])), dwell, members: seen };
    },

    /**
     * Per zone, sorted minutes in which a customer was seen in it (any zone event): raw edges give every such
     * minute, the rollup each 30-minute bucket's first and last. A silence of 30+ minutes cannot fit inside one
     * bucket, so it always runs from one bucket's last sighting to a later bucket's first: DEAD_ZONE (≥ 30 min)
     * finds exactly the same gaps either way (tested against raw reads).
     */
    async zonePresence(storeId: string, from: number, to: number, minGapMs: number): Promise<Map<string, number[]>> {
      // Shorter silences could hide inside a bucket: then only raw events will do.
      const split: SplitRange = minGapMs >= ROLLUP_BUCKET_MS ? splitRange(from, to) : { raw: [{ from, to }], rollup: null };
      type Mark = { zone_id: string; m: unknown };
      const parts = await Promise.all([
        ...split.raw.map((r) =>
          rows<Mark>(
            `SELECT zone_id, ${MINUTE('ts')} AS m FROM events WHERE ${CUSTOMER} AND zone_id IS NOT NULL GROUP BY zone_id, 2`,
            [storeId, r.from, r.to],
          ),
        ),
        ...(split.rollup
          ? [rows<Mark>(
              `SELECT zone_id, ${MINUTE('first_seen')} AS m FROM ${rolledRows('zone_rollups', `${ROLLED} AND is_staff = FALSE AND zone_id <> ''`)}
               UNION ALL SELECT zone_id, ${MINUTE('last_seen')} AS m FROM ${rolledRows('zone_rollups', `${ROLLED} AND is_staff = FALSE AND zone_id <> ''`)}`,
              twice(twice([storeId, split.rollup.from, split.rollup.to])),
            )]
          : []),
      ]);
      const map = new Map<string, number[]>();
      for (const part of parts) {
        for (const r of part) {
          const list = map.get(r.zone_id) ?? [];
          list.push(n(r.m));
          map.set(r.zone_id, list);
        }
      }
      for (const list of map.values()) list.sort((a, b) => a - b);
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
