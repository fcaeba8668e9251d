/**
 * ZONE_DWELL schedule: the first when a stay reaches the zone's `dwell_ms`, then one every `dwell_repeat_ms`
 * while the person stays, so the hub always knows who is dwelling now without waiting for ZONE_EXIT.
 */

export interface DwellSchedule {
  /** Stay start (ms). */
  enteredMs: number;
  /** Time the next ZONE_DWELL is due (ms). */
  nextDueMs: number;
}

export function startDwell(enteredMs: number, dwellMs: number): DwellSchedule {
  return { enteredMs, nextDueMs: enteredMs + dwellMs };
}

/**
 * Returns the dwell length to report if a ZONE_DWELL is due at `nowMs` (and advances the schedule), else null.
 * A gap longer than one period (a stalled source) yields one event, not a burst of catch-up events.
 */
export function takeDueDwell(s: DwellSchedule, nowMs: number, repeatMs: number): number | null {
  if (nowMs < s.nextDueMs) return null;
  while (s.nextDueMs <= nowMs) s.nextDueMs += repeatMs;
  return nowMs - s.enteredMs;
}
