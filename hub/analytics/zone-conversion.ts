import type { Attribution } from './conversion.js';
import type { VisitorFacts } from './types.js';

const rate = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 10_000) / 10_000 : 0);

/**
 * Per-zone conversion: of the zone's visitors, the share who purchased. A zone's visitors are the visitors the
 * funnel counts (an ENTRY or REENTRY in the window, staff excluded) that were seen in the zone (ZONE_ENTER,
 * ZONE_DWELL or BILLING_QUEUE_JOIN); "purchased" is the same POS matching as conversion_rate, so a zone's rate
 * reads as "people who went here converted at X". Zones without such visitors are 0.
 */
export function zoneConversion(
  members: ReadonlyMap<string, ReadonlySet<string>>,
  visitors: readonly VisitorFacts[],
  attribution: Attribution,
): Map<string, number> {
  const counted = new Set(visitors.filter((v) => v.first_in !== null).map((v) => v.visitor_id));
  const out = new Map<string, number>();
  for (const [zone, ids] of members) {
    let n = 0;
    let bought = 0;
    for (const id of ids) {
      if (!counted.has(id)) continue;
      n += 1;
      if (attribution.byVisitor.has(id)) bought += 1;
    }
    out.set(zone, rate(bought, n));
  }
  return out;
}
