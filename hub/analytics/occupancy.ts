import type { DoorEvent } from './types.js';
import type { Window } from './window.js';

/** Occupancy of one bucket: customers inside at its end (or at `at`), and the most inside at once during it. */
export interface Occupancy {
  occupancy: number;
  occupancy_peak: number;
}

/** What occupancy knows beyond the window's own door events. */
export interface OccupancyContext {
  /** Door events from the store's local midnight before the window's start to that start, in time order. */
  before?: readonly DoorEvent[];
  /** Local midnights inside the window, ascending: the count starts again from nobody at each. */
  resets?: readonly number[];
}

/**
 * Customers inside over time, counted the way people counters count: from the store's local midnight, so a view of
 * the last hour still sees who came in before it, and a missed exit stops counting at the end of its day. A
 * visitor is inside after an ENTRY or REENTRY (twice the same visitor is one person) and outside after their EXIT.
 * The door camera often sees people leave on a new track, with a new visitor id: an EXIT of a visitor not known to
 * be inside takes one of those inside away, as a counter's exit would, and none when nobody is.
 *
 * Per bucket: `occupancy` at min(bucket end, at) (events strictly before that instant), `occupancy_peak` the
 * largest count in [bucket start, min(bucket end, at)). Buckets starting at or after `at` (the future) are 0.
 * `doors` (the window's) and `ctx.before` must be in time order (the repository sorts them by time, then by the
 * visitor's session_seq).
 */
export function occupancyByBucket(doors: readonly DoorEvent[], buckets: readonly Window[], at: number, ctx: OccupancyContext = {}): Occupancy[] {
  const inside = new Set<string>();
  /** Exits of visitors not known inside, each standing for one of `inside` gone out; at most inside.size. */
  let anonymousExits = 0;
  const count = () => inside.size - anonymousExits;
  const apply = (d: DoorEvent) => {
    if (d.type !== 'EXIT') inside.add(d.visitor_id);
    else if (inside.delete(d.visitor_id)) anonymousExits = Math.min(anonymousExits, inside.size);
    else if (count() > 0) anonymousExits++;
  };
  for (const d of ctx.before ?? []) apply(d);
  const resets = ctx.resets ?? [];
  let i = 0;
  let r = 0;
  /**
   * Applies the events before `until` and the midnights before it (or at it, `midnightAt`: a bucket that starts at
   * midnight starts empty, while one that ends there reports the day's last count), in time order, a midnight before
   * an event of the same instant.
   */
  const advance = (until: number, onChange: (count: number) => void, midnightAt = false) => {
    for (;;) {
      const nextEvent = i < doors.length && doors[i]!.ts < until ? doors[i]!.ts : Infinity;
      const nextReset = r < resets.length && (resets[r]! < until || (midnightAt && resets[r] === until)) ? resets[r]! : Infinity;
      if (nextEvent === Infinity && nextReset === Infinity) return;
      const before = count();
      if (nextReset <= nextEvent) {
        inside.clear();
        anonymousExits = 0;
        r++;
      } else {
        apply(doors[i++]!);
      }
      if (count() !== before) onChange(count());
    }
  };
  return buckets.map((b) => {
    advance(b.from, () => {}, true);
    if (b.from >= at) return { occupancy: 0, occupancy_peak: 0 };
    let peak = count();
    advance(Math.min(b.to, at), (n) => {
      peak = Math.max(peak, n);
    });
    return { occupancy: count(), occupancy_peak: peak };
  });
}
