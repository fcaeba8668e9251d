/** Per-track state of the behaviour layer: where the person is relative to the store, and held events. */
import type { DraftEvent } from './events.js';
import type { Group } from './visitors.js';

export interface TrackState {
  trackId: number;
  firstMs: number;
  lastTrackedMs: number;
  /** Detector score of the latest matched detection: events carry it as their confidence. */
  score: number;
  visitorId: string | null;
  /** Relative to the store, from door-line crossings; 'unknown' until a crossing (and always on zone cameras). */
  presence: 'unknown' | 'inside' | 'outside';
  staffSettled: boolean;
  isStaff: boolean;
  /** An entry crossing waiting for its re-entry decision. */
  entry: { atMs: number; confidence: number; group: Group } | null;
  group: Group | null;
  /** Events not yet released (staff vote or entry decision pending), in creation order. */
  held: DraftEvent[];
  /** Last anchor of a detector-matched box, and whether the latest frame only had a coasting prediction. */
  lastAnchor: [number, number] | null;
  lost: boolean;
  /** Removed by the tracker but kept (zones open) until this time in case a new id picks the person up. */
  parkedUntilMs: number | null;
  /** Taken over by a newer track id: ignored from now on. */
  superseded: boolean;
}

export function createTrackBook() {
  const states = new Map<number, TrackState>();
  let seen = 0;
  return {
    /** The state of a track, created on its first frame. */
    touch(trackId: number, nowMs: number): TrackState {
      let s = states.get(trackId);
      if (!s) {
        s = {
          trackId,
          firstMs: nowMs,
          lastTrackedMs: nowMs,
          score: 0,
          visitorId: null,
          presence: 'unknown',
          staffSettled: false,
          isStaff: false,
          entry: null,
          group: null,
          held: [],
          lastAnchor: null,
          lost: false,
          parkedUntilMs: null,
          superseded: false,
        };
        states.set(trackId, s);
        seen++;
      }
      return s;
    },
    get: (trackId: number) => states.get(trackId),
    has: (trackId: number) => states.has(trackId),
    remove: (trackId: number) => states.delete(trackId),
    all: () => [...states.values()],
    get seen() {
      return seen;
    },
  };
}

/** A new track id takes over the person of an old one (relink after an id switch); the old one goes quiet. */
export function takeOver(old: TrackState, s: TrackState): void {
  Object.assign(s, {
    visitorId: old.visitorId,
    presence: old.presence,
    staffSettled: old.staffSettled,
    isStaff: old.isStaff,
    group: old.group,
    entry: old.entry,
    firstMs: old.firstMs,
    held: [...old.held, ...s.held],
  });
  Object.assign(old, { superseded: true, held: [], entry: null });
}
