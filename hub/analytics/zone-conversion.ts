import type { Attribution } from './conversion.js';
import type { DoorEvent } from './types.js';

const rate = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 10_000) / 10_000 : 0);

/**
 * Per-zone conversion: of the zone's visitors, the share who purchased. A zone's visitors are the visitors the
 * funnel counts (an ENTRY or REENTRY in the window, staff excluded) that were seen in the zone (ZONE_ENTER,
 * ZONE_DWELL or BILLING_QUEUE_JOIN); "purchased" is the same POS matching as conversion_rate, so a zone's rate
 * reads as "people who went here converted at X". Zones without such visitors are 0. The window's visitors are
 * taken from its door events (an ENTRY or REENTRY), the same set as unique_visitors, read from an index instead
 * of the per-visitor aggregation the funnel needs.
 */
export function zoneConversion(
  members: ReadonlyMap<string, ReadonlySet<string>>,
  doors: readonly DoorEvent[],
  attribution: Attribution,
): Map<string, number> {
  const counted = new Set(doors.filter((d) => d.type !== 'EXIT').map((d) => d.visitor_id));
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
