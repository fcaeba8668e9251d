import type { Zone } from '../../common/layout.js';
import type { DwellSum } from './types.js';

export interface ZoneHeat {
  zone_id: string;
  name: string;
  type: Zone['type'];
  /** Distinct non-staff visitors seen in the zone. */
  frequency: number;
  /** Mean ZONE_DWELL.dwell_ms in the zone. */
  avg_dwell_ms: number;
  /** frequency scaled to the busiest zone: 0–100. */
  normalized: number;
  /** The zone's visitors (as in the funnel) who purchased / the zone's visitors (hub/analytics/zone-conversion.ts). */
  conversion_rate: number;
}

/**
 * One row per zone of the layout, in layout order; zones nobody visited appear with zeros. Zones seen in
 * events but missing from the layout are left out: the layout is the store's map.
 */
export function computeHeatmap(
  zones: readonly Zone[],
  visitorsByZone: ReadonlyMap<string, number>,
  dwellByZone: ReadonlyMap<string, DwellSum>,
  conversionByZone: ReadonlyMap<string, number> = new Map(),
): ZoneHeat[] {
  const max = Math.max(0, ...zones.map((z) => visitorsByZone.get(z.zone_id) ?? 0));
  return zones.map((z) => {
    const frequency = visitorsByZone.get(z.zone_id) ?? 0;
    const d = dwellByZone.get(z.zone_id);
    return {
      zone_id: z.zone_id,
      name: z.name,
      type: z.type,
      frequency,
      avg_dwell_ms: d && d.n > 0 ? Math.round(d.sum_ms / d.n) : 0,
      normalized: max > 0 ? Math.round((100 * frequency) / max) : 0,
      conversion_rate: conversionByZone.get(z.zone_id) ?? 0,
    };
  });
}
