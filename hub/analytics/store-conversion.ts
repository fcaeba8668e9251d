import { attributeTransactions, type Attribution } from './conversion.js';
import { canonicalPresences, canonicalVisitors, type CanonicalVisitor, type VisitorLinks } from './identity.js';
import { PURCHASE_WINDOW_MS, type BillingPresence, type PosTransaction, type VisitorFacts } from './types.js';

/**
 * How a matched transaction counts:
 * - `visitor`: bought by a visitor of the window, identified on its own camera;
 * - `linked`: bought by a visitor of the window whose billing presence was seen only by a linked camera;
 * - `unlinked`: bought by a zone camera's customer with no link, counted without one (a customer needs no
 *   identity to be a purchase; they entered, only not under an id we can name);
 * - `entered_before_window`: matched to someone whose visit did not begin in the window (an entrance id, or an id
 *   linked to one, without ENTRY/REENTRY in it; or a customer seen only before the window): not a visitor here;
 * - `beyond_visitors`: an unlinked customer beyond the visitors not yet counted as purchased (the entrance
 *   camera missed them, or was offline): counting it would push conversion above what the visitors allow.
 */
export type PurchaseCount = 'visitor' | 'linked' | 'unlinked' | 'entered_before_window' | 'beyond_visitors';

export const COUNTED: ReadonlySet<PurchaseCount> = new Set(['visitor', 'linked', 'unlinked']);

export interface Purchase {
  transaction_id: string;
  /** Canonical id of the customer the transaction was matched to. */
  visitor_id: string;
  count: PurchaseCount;
  /** The instant the purchase is booked at: the visitor's first ENTRY/REENTRY, an unlinked customer's first
   * sighting, else the transaction time. */
  home_ts: number;
}

/** Who the window's ids are, after links: the input of metrics and funnel. */
export interface StoreConversion {
  /** One row per canonical id with events in the window. */
  visitors: CanonicalVisitor[];
  /** Canonical ids of the visitors of the window (an ENTRY or REENTRY in it). */
  entered: ReadonlySet<string>;
  /** Canonical ids that are zone-camera ids without a link (never visitors by themselves). */
  unlinked: ReadonlySet<string>;
  /** Matching on canonical ids. */
  attribution: Attribution;
  /** One per matched transaction. */
  purchases: Purchase[];
  /** canonical id → its purchase (counted or not). */
  byVisitor: ReadonlyMap<string, Purchase>;
}

export interface ConversionInput {
  visitors: readonly VisitorFacts[];
  presences: readonly BillingPresence[];
  transactions: readonly PosTransaction[];
  links: VisitorLinks;
  /** Ids made by zone cameras (no door lines), at least those of the window that neither entered nor are linked. */
  zoneCameraIds: ReadonlySet<string>;
  windowMs?: number;
}

/**
 * Canonicalises ids through the links, matches transactions to canonical customers (billing presences of every
 * camera are candidates, a linked pair is one candidate), and says how each match counts. Conversion thus never
 * depends on identity: an unlinked till-camera customer still counts as a purchase, up to the visitors.
 */
export function resolveConversion(input: ConversionInput): StoreConversion {
  const visitors = canonicalVisitors(input.visitors, input.links);
  const attribution = attributeTransactions(canonicalPresences(input.presences, input.links), input.transactions, input.windowMs ?? PURCHASE_WINDOW_MS);
  const byId = new Map(visitors.map((v) => [v.visitor_id, v]));
  const entered = new Set(visitors.filter((v) => v.first_in !== null).map((v) => v.visitor_id));
  const unlinked = new Set(
    visitors.filter((v) => v.first_in === null && v.linked_ids === 0 && input.zoneCameraIds.has(v.visitor_id)).map((v) => v.visitor_id),
  );
  const purchases: Purchase[] = [];
  const waiting: Purchase[] = [];
  for (const m of attribution.matches) {
    const v = byId.get(m.visitor_id);
    if (v && entered.has(v.visitor_id)) {
      purchases.push({ transaction_id: m.transaction_id, visitor_id: v.visitor_id, count: v.linked_ids > 0 && !v.own?.billing ? 'linked' : 'visitor', home_ts: v.first_in! });
    } else if (v && unlinked.has(v.visitor_id)) {
      waiting.push({ transaction_id: m.transaction_id, visitor_id: v.visitor_id, count: 'unlinked', home_ts: v.first_seen });
    } else {
      purchases.push({ transaction_id: m.transaction_id, visitor_id: m.visitor_id, count: 'entered_before_window', home_ts: m.ts });
    }
  }
  // Unlinked customers fill the visitors not already counted as purchased, earliest first sighting first.
  let room = entered.size - purchases.filter((p) => COUNTED.has(p.count)).length;
  waiting.sort((a, b) => a.home_ts - b.home_ts || (a.transaction_id < b.transaction_id ? -1 : 1));
  for (const p of waiting) {
    if (room > 0) room -= 1;
    else p.count = 'beyond_visitors';
    purchases.push(p);
  }
  return { visitors, entered, unlinked, attribution, purchases, byVisitor: new Map(purchases.map((p) => [p.visitor_id, p])) };
}
