import type { Attribution } from './conversion.js';
import type { VisitorFacts } from './types.js';

/** GET /stores/:id/funnel: visitors (not events) at each stage. */
export interface Funnel {
  entry: number;
  zone_visit: number;
  billing_queue: number;
  purchased: number;
}

/**
 * Each stage counts the visitors of the stage before that also did the next thing, so the funnel can never
 * grow, whatever the events say (a purchase matched to a visitor never seen in a zone, say, stops at entry).
 */
export function computeFunnel(visitors: readonly VisitorFacts[], attribution: Attribution): Funnel {
  const f: Funnel = { entry: 0, zone_visit: 0, billing_queue: 0, purchased: 0 };
  for (const v of visitors) {
    if (v.first_in === null) continue;
    f.entry += 1;
    if (!v.zone_visit) continue;
    f.zone_visit += 1;
    if (!v.billing) continue;
    f.billing_queue += 1;
    if (attribution.byVisitor.has(v.visitor_id)) f.purchased += 1;
  }
  return f;
}
