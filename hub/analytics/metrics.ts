import { buyingUnitsByBucket } from './buying-units.js';
import { NO_LINKS, type VisitorLinks } from './identity.js';
import { occupancyByBucket, type OccupancyContext } from './occupancy.js';
import { queueWaitsByBucket, type WaitStats } from './queue-wait.js';
import { salesByBucket } from './sales.js';
import { resolveConversion, type StoreConversion } from './store-conversion.js';
import { type BillingPresence, type DoorEvent, type DwellSum, type PosTransaction, type QueueEvent, type QueueSample, type VisitorFacts } from './types.js';
import { bucketOf, iso, type Window } from './window.js';

/** GET /stores/:id/metrics, and one row of /metrics/hourly. */
export interface StoreMetrics {
  unique_visitors: number;
  conversion_rate: number;
  purchased: number;
  unattributed_transactions: number;
  avg_dwell_ms: number;
  avg_zone_dwell_ms: number;
  queue_depth_current: number;
  abandonment_rate: number;
  staff_excluded_events: number;
  /** Cross-camera identity behind the figures (docs/DESIGN.md, "Conversion semantics"). */
  identity: {
    /** Visitors with at least one linked zone-camera id in the window. */
    linked_visitors: number;
    /** Purchases whose billing presence only a linked camera saw. */
    purchased_linked: number;
    /** Purchases of zone-camera customers without a link, counted in `purchased` without one. */
    purchased_unlinked: number;
  };
  /** Matched transactions that are not purchases of this window, by reason: with `purchased` and
   * `unattributed_transactions` they account for every transaction of the window. */
  uncounted_transactions: { entered_before_window: number; beyond_visitors: number };
  /** Customers inside at min(to, now) (docs/DESIGN.md, "Store KPIs"). */
  occupancy: number;
  /** Most customers inside at once during the window. */
  occupancy_peak: number;
  /** Visitors of the window grouped by `group_id` (a visitor alone is a unit). */
  buying_units: number;
  /** Units with at least one purchaser / buying_units. */
  buying_unit_conversion_rate: number;
  /** BILLING_QUEUE_JOIN to reaching the till, for queues joined in the window. */
  queue_wait_ms: WaitStats;
  /** BILLING_QUEUE_JOIN to BILLING_QUEUE_ABANDON, apart from the served waits. */
  queue_abandon_wait_ms: WaitStats;
  /** Sum of basket values of every POS transaction in the window, attributed or not. */
  sales_total: number;
  transactions: number;
  /** Average transaction value. */
  atv: number;
  sales_per_visitor: number;
  window: { from: string; to: string };
}

/** Everything the metric math needs for a window, fetched by the analytics repository. */
export interface WindowFacts {
  window: Window;
  /** Evaluation instant for "current" values: min(to, now). */
  at: number;
  visitors: VisitorFacts[];
  /** Billing presences in [from − PURCHASE_WINDOW_MS, to) of non-staff visitors. */
  presences: BillingPresence[];
  transactions: PosTransaction[];
  /** Queue-depth readings of non-staff events in [from − 5 min, to). */
  queue: QueueSample[];
  /** ZONE_DWELL sums per bucket (index = bucket; one entry for a plain window). */
  zoneDwell: DwellSum[];
  /** Staff events per bucket. */
  staffEvents: number[];
  /** Cross-camera links (non-entrance id → entrance id); none = every id is its own visitor. */
  links?: VisitorLinks;
  /** Ids made by zone cameras (no door lines), at least those of the window that neither entered nor are linked. */
  zoneCameraIds?: ReadonlySet<string>;
  /** Non-staff ENTRY/REENTRY/EXIT in [from, to), in time order. */
  doors: DoorEvent[];
  /** For occupancy: the door events of the day before `from`, and the local midnights within the window. */
  occupancy?: OccupancyContext;
  /** Non-staff joins, abandons and ZONE_EXITs in billing zones in [from, to), in time order. */
  queueEvents: QueueEvent[];
}

/** Rates keep four decimals and durations whole milliseconds: enough for any chart, stable in JSON. */
const rate = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 10_000) / 10_000 : 0);
const mean = (sum: number, n: number) => (n > 0 ? Math.round(sum / n) : 0);
const QUEUE_CURRENT_MS = 5 * 60_000;

interface Acc {
  visitors: number;
  linkedVisitors: number;
  purchased: number;
  purchasedLinked: number;
  purchasedUnlinked: number;
  enteredBefore: number;
  beyondVisitors: number;
  unattributed: number;
  dwellSum: number;
  dwellN: number;
  joined: number;
  abandoned: number;
}
const emptyAcc = (): Acc => ({ visitors: 0, linkedVisitors: 0, purchased: 0, purchasedLinked: 0, purchasedUnlinked: 0, enteredBefore: 0, beyondVisitors: 0, unattributed: 0, dwellSum: 0, dwellN: 0, joined: 0, abandoned: 0 });

/**
 * The newest queue depth in the 5 minutes before `at` (0 when none: an idle counter reports nothing).
 * `queue` must be sorted by time (the repository returns it so): a binary search keeps 720 hourly rows of a
 * 30-day window with 25k readings cheap.
 */
export function queueDepthAt(queue: readonly QueueSample[], at: number): number {
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (queue[mid]!.ts < at) lo = mid + 1;
    else hi = mid;
  }
  const newest = queue[lo - 1];
  return newest && newest.ts >= at - QUEUE_CURRENT_MS ? newest.queue_depth : 0;
}

/** Visit length of a visit that ended in the window: first ENTRY to last EXIT. */
function visitLength(v: VisitorFacts): number | null {
  if (v.last_exit === null || v.first_entry === null || v.first_entry > v.last_exit) return null;
  return v.last_exit - v.first_entry;
}

/** The window's conversion from its facts: ids canonicalised through the links, every transaction accounted for. */
export function conversionOf(facts: Pick<WindowFacts, 'visitors' | 'presences' | 'transactions' | 'links' | 'zoneCameraIds'>): StoreConversion {
  return resolveConversion({
    visitors: facts.visitors,
    presences: facts.presences,
    transactions: facts.transactions,
    links: facts.links ?? NO_LINKS,
    zoneCameraIds: facts.zoneCameraIds ?? new Set(),
  });
}

/**
 * Metrics per bucket. A visitor belongs to the bucket of its first ENTRY/REENTRY in the window (else of its
 * first event), a visit's length to the bucket where it ended, a transaction to the bucket it happened in.
 * Matching runs once over the whole window, so hourly rows add up to the window's totals. Linked ids count
 * under their entrance visitor (one visitor, one visit, one queue join).
 */
export function metricsByBucket(facts: WindowFacts, buckets: readonly Window[], conversion?: StoreConversion): StoreMetrics[] {
  const conv = conversion ?? conversionOf(facts);
  // Matching on canonical ids: a linked pair is one candidate.
  const att = conv.attribution;
  const accs = buckets.map(emptyAcc);
  const at = (t: number) => accs[bucketOf(buckets, t)];
  for (const v of conv.visitors) {
    const home = at(v.first_in ?? v.first_seen);
    if (home && v.first_in !== null) {
      home.visitors += 1;
      if (v.linked_ids > 0) home.linkedVisitors += 1;
    }
    if (home && v.joined_queue) {
      home.joined += 1;
      if (v.abandoned_queue) home.abandoned += 1;
    }
    const len = visitLength(v);
    const end = len === null ? undefined : at(v.last_exit!);
    if (end) {
      end.dwellSum += len!;
      end.dwellN += 1;
    }
  }
  for (const p of conv.purchases) {
    const a = at(p.home_ts);
    if (!a) continue;
    if (p.count === 'entered_before_window') a.enteredBefore += 1;
    else if (p.count === 'beyond_visitors') a.beyondVisitors += 1;
    else a.purchased += 1;
    if (p.count === 'linked') a.purchasedLinked += 1;
    if (p.count === 'unlinked') a.purchasedUnlinked += 1;
  }
  for (const tx of att.unattributed) {
    const a = at(tx.ts);
    if (a) a.unattributed += 1;
  }
  const occupancy = occupancyByBucket(facts.doors, buckets, facts.at, facts.occupancy);
  const units = buyingUnitsByBucket(conv.visitors, facts.doors, att, buckets);
  const waits = queueWaitsByBucket(facts.queueEvents, buckets);
  const sales = salesByBucket(facts.transactions, buckets, accs.map((a) => a.visitors));
  return buckets.map((b, i) => {
    const a = accs[i]!;
    const dwell = facts.zoneDwell[i] ?? { sum_ms: 0, n: 0 };
    return {
      unique_visitors: a.visitors,
      conversion_rate: rate(a.purchased, a.visitors),
      purchased: a.purchased,
      unattributed_transactions: a.unattributed,
      avg_dwell_ms: mean(a.dwellSum, a.dwellN),
      avg_zone_dwell_ms: mean(dwell.sum_ms, dwell.n),
      queue_depth_current: queueDepthAt(facts.queue, Math.min(b.to, facts.at)),
      abandonment_rate: rate(a.abandoned, a.joined),
      staff_excluded_events: facts.staffEvents[i] ?? 0,
      identity: { linked_visitors: a.linkedVisitors, purchased_linked: a.purchasedLinked, purchased_unlinked: a.purchasedUnlinked },
      uncounted_transactions: { entered_before_window: a.enteredBefore, beyond_visitors: a.beyondVisitors },
      ...occupancy[i]!,
      buying_units: units[i]!.units,
      buying_unit_conversion_rate: rate(units[i]!.purchased, units[i]!.units),
      queue_wait_ms: waits[i]!.served,
      queue_abandon_wait_ms: waits[i]!.abandoned,
      ...sales[i]!,
      window: { from: iso(b.from), to: iso(b.to) },
    };
  });
}

/** GET /stores/:id/metrics: the window as one bucket. */
export function computeMetrics(facts: WindowFacts): StoreMetrics {
  return metricsByBucket(facts, [facts.window])[0]!;
}
