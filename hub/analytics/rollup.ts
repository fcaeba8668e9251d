import type { VisitorFacts } from './types.js';

/**
 * Rollups: one row per store, 30-minute bucket, visitor, zone and staff flag, summing what
 * the metrics need. 30 minutes because every store's local hour starts on a 30-minute mark for the zones we
 * serve (India is UTC+05:30); windows whose ends are not on a mark read their edges from raw events.
 */
export const ROLLUP_BUCKET_MS = 30 * 60_000;

/** An event as the rollup reads it. */
export interface RollupEvent {
  store_id: string;
  visitor_id: string;
  camera_id: string;
  event_type: string;
  ts: number;
  zone_id: string | null;
  dwell_ms: number;
  is_staff: boolean;
}

export interface RollupRow {
  store_id: string;
  bucket_ts: number;
  visitor_id: string;
  zone_id: string;
  is_staff: boolean;
  /** The camera that made the visitor id (one camera per id; the smallest if a store broke that rule). */
  camera_id: string;
  n_events: number;
  first_in: number | null;
  first_entry: number | null;
  last_exit: number | null;
  first_seen: number;
  last_seen: number;
  zone_events: number;
  joins: number;
  abandons: number;
  dwell_sum: number;
  dwell_n: number;
}

/** Per store, bucket, zone and staff flag: what the per-zone and per-hour sums need, without the visitors. */
export interface ZoneRollupRow {
  store_id: string;
  bucket_ts: number;
  zone_id: string;
  is_staff: boolean;
  n_events: number;
  dwell_sum: number;
  dwell_n: number;
  first_seen: number;
  last_seen: number;
}

/** Sums visitor rollup rows per zone (the zone rollup of the same events). */
export function zoneRollUp(rows: readonly RollupRow[]): ZoneRollupRow[] {
  const out = new Map<string, ZoneRollupRow>();
  for (const r of rows) {
    const key = `${r.store_id}\u0000${r.bucket_ts}\u0000${r.zone_id}\u0000${r.is_staff ? 1 : 0}`;
    const z = out.get(key);
    if (!z) {
      out.set(key, { store_id: r.store_id, bucket_ts: r.bucket_ts, zone_id: r.zone_id, is_staff: r.is_staff, n_events: r.n_events, dwell_sum: r.dwell_sum, dwell_n: r.dwell_n, first_seen: r.first_seen, last_seen: r.last_seen });
      continue;
    }
    z.n_events += r.n_events;
    z.dwell_sum += r.dwell_sum;
    z.dwell_n += r.dwell_n;
    z.first_seen = Math.min(z.first_seen, r.first_seen);
    z.last_seen = Math.max(z.last_seen, r.last_seen);
  }
  return [...out.values()];
}

const minN = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxN = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Folds events into rollup rows (one per key); the database adds them to what it holds with the same rules. */
export function rollUp(events: readonly RollupEvent[]): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const e of events) {
    const bucket = Math.floor(e.ts / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
    const zone = e.zone_id ?? '';
    const key = `${e.store_id}\u0000${bucket}\u0000${e.visitor_id}\u0000${zone}\u0000${e.is_staff ? 1 : 0}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        store_id: e.store_id, bucket_ts: bucket, visitor_id: e.visitor_id, zone_id: zone, is_staff: e.is_staff,
        camera_id: e.camera_id, n_events: 0, first_in: null, first_entry: null, last_exit: null, first_seen: e.ts, last_seen: e.ts,
        zone_events: 0, joins: 0, abandons: 0, dwell_sum: 0, dwell_n: 0,
      };
      rows.set(key, r);
    }
    r.n_events += 1;
    if (e.camera_id < r.camera_id) r.camera_id = e.camera_id;
    r.first_seen = Math.min(r.first_seen, e.ts);
    r.last_seen = Math.max(r.last_seen, e.ts);
    switch (e.event_type) {
      case 'ENTRY':
        r.first_entry = minN(r.first_entry, e.ts);
        r.first_in = minN(r.first_in, e.ts);
        break;
      case 'REENTRY':
        r.first_in = minN(r.first_in, e.ts);
        break;
      case 'EXIT':
        r.last_exit = maxN(r.last_exit, e.ts);
        break;
      case 'ZONE_ENTER':
        r.zone_events += 1;
        break;
      case 'ZONE_DWELL':
        r.zone_events += 1;
        r.dwell_sum += e.dwell_ms;
        r.dwell_n += 1;
        break;
      case 'BILLING_QUEUE_JOIN':
        r.joins += 1;
        break;
      case 'BILLING_QUEUE_ABANDON':
        r.abandons += 1;
        break;
    }
  }
  return [...rows.values()];
}

/** A window split into raw-read edges and a bucket-aligned middle read from the rollup. */
export interface SplitRange {
  raw: { from: number; to: number }[];
  rollup: { from: number; to: number } | null;
}

export function splitRange(from: number, to: number): SplitRange {
  const a = Math.ceil(from / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
  const b = Math.floor(to / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
  if (a >= b) return { raw: from < to ? [{ from, to }] : [], rollup: null };
  const raw = [];
  if (from < a) raw.push({ from, to: a });
  if (b < to) raw.push({ from: b, to });
  return { raw, rollup: { from: a, to: b } };
}

/** Merges per-visitor facts read from several ranges into one row per visitor. */
export function mergeVisitorFacts(parts: readonly (readonly VisitorFacts[])[]): VisitorFacts[] {
  const out = new Map<string, VisitorFacts>();
  for (const part of parts) {
    for (const v of part) {
      const cur = out.get(v.visitor_id);
      if (!cur) {
        out.set(v.visitor_id, { ...v });
        continue;
      }
      mergeFactsInto(cur, v);
    }
  }
  return [...out.values()];
}

/** Adds what `v` saw to `into` (earliest entry, latest exit, any zone/billing/queue flag). */
export function mergeFactsInto(into: VisitorFacts, v: VisitorFacts): void {
  into.first_in = minN(into.first_in, v.first_in);
  into.first_entry = minN(into.first_entry, v.first_entry);
  into.last_exit = maxN(into.last_exit, v.last_exit);
  into.first_seen = Math.min(into.first_seen, v.first_seen);
  into.zone_visit ||= v.zone_visit;
  into.billing ||= v.billing;
  into.joined_queue ||= v.joined_queue;
  into.abandoned_queue ||= v.abandoned_queue;
}
