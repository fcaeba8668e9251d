import type { DoorEvent } from './types.js';
import type { Window } from './window.js';

/** Occupancy of one bucket: customers inside at its end (or at `at`), and the most inside at once during it. */
export interface Occupancy {
  occupancy: number;
  occupancy_peak: number;
}

/**
 * Customers inside over time, from the window's door events alone: a visitor is inside after an ENTRY or REENTRY
 * and outside after an EXIT, so the count is the number of visitors whose latest door event so far is an
 * arrival. It starts at 0 at the window's start (a visit that began earlier is not seen) and can never go
 * negative: an EXIT of someone not inside changes nothing.
 *
 * Per bucket: `occupancy` at min(bucket end, at) (events strictly before that instant), `occupancy_peak` the
 * largest count in [bucket start, min(bucket end, at)). Buckets starting at or after `at` (the future) are 0.
 * `doors` must be in time order (the repository sorts them by time, then by the visitor's session_seq).
 */
export function occupancyByBucket(doors: readonly DoorEvent[], buckets: readonly Window[], at: number): Occupancy[] {
  const inside = new Set<string>();
  let i = 0;
  const advance = (until: number, onChange: (count: number) => void) => {
    for (; i < doors.length && doors[i]!.ts < until; i++) {
      const d = doors[i]!;
      const before = inside.size;
      if (d.type === 'EXIT') inside.delete(d.visitor_id);
      else inside.add(d.visitor_id);
      if (inside.size !== before) onChange(inside.size);
    }
  };
  return buckets.map((b) => {
    advance(b.from, () => {});
    if (b.from >= at) return { occupancy: 0, occupancy_peak: 0 };
    let peak = inside.size;
    advance(Math.min(b.to, at), (count) => {
      peak = Math.max(peak, count);
    });
    return { occupancy: inside.size, occupancy_peak: peak };
  });
}
