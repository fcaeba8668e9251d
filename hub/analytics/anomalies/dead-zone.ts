import type { Zone } from '../../../common/layout.js';
import { iso } from '../window.js';
import { MINUTE_MS, type Anomaly, type AnomalyThresholds } from './types.js';

/**
 * DEAD_ZONE: a zone with no customer visit for `deadZoneMinutes` while at least `deadZoneMinVisitors` visitors
 * entered the store in that gap. A gap starts at the zone's last visit, but never before the first visitor of
 * the window: a store that has not opened yet has no dead zones. Reported at the instant both conditions held.
 *
 * `visits`: per zone, sorted times it was visited (minute resolution is plenty); `entries`: sorted first
 * ENTRY/REENTRY times of the window's visitors.
 */
export function detectDeadZones(
  zones: readonly Zone[],
  visits: ReadonlyMap<string, readonly number[]>,
  entries: readonly number[],
  at: number,
  t: AnomalyThresholds,
): Anomaly[] {
  if (entries.length === 0) return [];
  const open = entries[0]!;
  const gapMs = t.deadZoneMinutes * MINUTE_MS;
  const out: Anomaly[] = [];
  for (const z of zones) {
    let start = open;
    const marks = [...(visits.get(z.zone_id) ?? []).filter((v) => v < at), at];
    for (const mark of marks) {
      const end = mark;
      if (end - start >= gapMs) {
        const first = lowerBound(entries, start);
        const count = lowerBound(entries, end) - first;
        if (count >= t.deadZoneMinVisitors) {
          const detected = Math.max(start + gapMs, entries[first + Math.max(0, t.deadZoneMinVisitors - 1)]!);
          out.push({
            type: 'DEAD_ZONE',
            severity: 'warning',
            zone_id: z.zone_id,
            detected_at: iso(detected),
            details: {
              since: iso(start),
              until: mark === at ? null : iso(end),
              silent_minutes: Math.round((end - start) / MINUTE_MS),
              store_visitors: count,
            },
          });
        }
      }
      start = Math.max(start, mark);
    }
  }
  return out.sort((a, b) => a.detected_at.localeCompare(b.detected_at));
}

/** First index whose value is >= x (entries are sorted). */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
