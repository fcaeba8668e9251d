/**
 * Plain data the analytics math works on. The repositories produce these from SQL; the math never sees SQL.
 * All times are epoch milliseconds (UTC).
 */

/** What one non-staff visitor did in the window (one row of the per-visitor aggregation). */
export interface VisitorFacts {
  visitor_id: string;
  /** First ENTRY or REENTRY in the window; null when the visitor only has other events in it. */
  first_in: number | null;
  /** First ENTRY of the visit (may precede the window, see VISIT_LOOKBACK_MS); null if none seen. */
  first_entry: number | null;
  /** Last EXIT in the window; null if none. */
  last_exit: number | null;
  /** First event of any type in the window. */
  first_seen: number;
  /** ZONE_ENTER / ZONE_DWELL / BILLING_QUEUE_JOIN in a zone other than an entrance. */
  zone_visit: boolean;
  /** Billing presence: BILLING_QUEUE_JOIN, or ZONE_ENTER / ZONE_DWELL in a billing zone. */
  billing: boolean;
  joined_queue: boolean;
  abandoned_queue: boolean;
}

/** A moment a visitor was seen in a billing zone (a purchase candidate). */
export interface BillingPresence {
  visitor_id: string;
  ts: number;
}

export interface PosTransaction {
  transaction_id: string;
  store_id: string;
  ts: number;
  basket_value_inr: number;
}

/** One queue-depth reading carried by an event. */
export interface QueueSample {
  ts: number;
  camera_id: string;
  zone_id: string | null;
  queue_depth: number;
}

/** Sum and count of ZONE_DWELL.dwell_ms for one key (a zone, an hour). */
export interface DwellSum {
  sum_ms: number;
  n: number;
}

/** How far before `from` the hub looks for the ENTRY of a visit that ends in the window. */
export const VISIT_LOOKBACK_MS = 6 * 3_600_000;

/** A purchase counts when the transaction is at most this long after the visitor's billing presence. */
export const PURCHASE_WINDOW_MS = 5 * 60_000;

/** A non-staff door event (ENTRY/REENTRY/EXIT): occupancy and buying units read these. */
export interface DoorEvent {
  visitor_id: string;
  type: 'ENTRY' | 'REENTRY' | 'EXIT';
  ts: number;
  /** `metadata.group_id` of an ENTRY/REENTRY (people who came in together); null when alone or on an EXIT. */
  group_id: string | null;
}

/** A non-staff queue event in a billing zone: BILLING_QUEUE_JOIN, BILLING_QUEUE_ABANDON or ZONE_EXIT. */
export interface QueueEvent {
  visitor_id: string;
  zone_id: string;
  type: 'BILLING_QUEUE_JOIN' | 'BILLING_QUEUE_ABANDON' | 'ZONE_EXIT';
  ts: number;
  /** `metadata.queue_wait_ms` of a ZONE_EXIT: the person reached the till this long after joining; else null. */
  queue_wait_ms: number | null;
}
