import type { StoreLayout } from '../../common/layout.js';
import { mergeFactsInto } from './rollup.js';
import type { BillingPresence, VisitorFacts } from './types.js';

/**
 * Cross-camera links as analytics read them: a non-entrance camera's visitor id → the entrance visitor id it is
 * (hub/store/visitor-link-repository.ts). Stored events keep their camera's id; every analytic canonicalises ids
 * through this map when it reads, so a linked pair is one person everywhere.
 */
export type VisitorLinks = ReadonlyMap<string, string>;

export const NO_LINKS: VisitorLinks = new Map();

/** The id a visitor counts under: its entrance visitor id when linked, else its own. */
export const canonicalId = (links: VisitorLinks, visitorId: string): string => links.get(visitorId) ?? visitorId;

/** A visitor after canonicalisation: the merged facts of its ids, and the facts of its canonical id alone. */
export interface CanonicalVisitor extends VisitorFacts {
  /** Facts of the canonical id itself (null when only linked ids were seen in the window). */
  own: VisitorFacts | null;
  /** How many linked ids (other than the canonical one) contributed facts. */
  linked_ids: number;
}

/**
 * Zone cameras: the layout's cameras without door lines. They cannot see anyone enter, so their ids are never
 * visitors by themselves. A camera the layout does not list is treated like an entrance camera, as before links.
 */
export function zoneCamerasOf(layout: StoreLayout): string[] {
  return layout.cameras.filter((c) => c.door_lines.length === 0).map((c) => c.camera_id);
}

/**
 * Merges the per-camera facts of ids that are one person (per `links`) into one row per canonical id, in the
 * order canonical ids first appear. The entrance id's ENTRY/EXIT give the visit; a linked zone camera adds what it
 * saw (zone visit, billing presence, queue join/abandon). Without links the rows come back unchanged.
 */
export function canonicalVisitors(visitors: readonly VisitorFacts[], links: VisitorLinks): CanonicalVisitor[] {
  const out = new Map<string, CanonicalVisitor>();
  for (const v of visitors) {
    const id = canonicalId(links, v.visitor_id);
    const own = id === v.visitor_id;
    const cur = out.get(id);
    if (!cur) {
      out.set(id, { ...v, visitor_id: id, own: own ? v : null, linked_ids: own ? 0 : 1 });
      continue;
    }
    mergeFactsInto(cur, v);
    if (own) cur.own = v;
    else cur.linked_ids += 1;
  }
  return [...out.values()];
}

/** Billing presences under canonical ids, so a linked pair is one candidate (it converts at most once). */
export function canonicalPresences(presences: readonly BillingPresence[], links: VisitorLinks): BillingPresence[] {
  if (links.size === 0) return [...presences];
  return presences.map((p) => ({ visitor_id: canonicalId(links, p.visitor_id), ts: p.ts }));
}
