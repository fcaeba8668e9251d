/**
 * The per-track parts of the behaviour layer (door sides, zone stays, queue states, staff votes, anchor
 * heights, re-id crops) each keep state keyed by track id. Every one of them implements `TrackPart`, and the
 * layer registers them in one `TrackParts` list, so a tracker id switch (rename) or a track's end (forget)
 * reaches all of them: a part added later cannot be left out of one lifecycle call by hand.
 *
 * Observation is not part of the shared interface on purpose: each part reads different inputs (pixels, an
 * anchor, a zone stay) and answers with a different kind of transition, so the layer calls each part's own
 * observe in the order the events depend on. Visitors, groups and the exit gallery are keyed by visitor or time,
 * not by track, so they are not track parts.
 */

export interface TrackPart {
  /** The tracker switched ids for one person: move what is kept for `from` to `to`. */
  rename(from: number, to: number): void;
  /** The track has ended for good: drop what is kept for it (no transitions are produced). */
  forget(trackId: number): void;
  /** How many track ids the part keeps state for; must drop to 0 once every track is forgotten. */
  heldTracks(): number;
}

export interface TrackParts {
  rename(from: number, to: number): void;
  forget(trackId: number): void;
  /** Track ids held per part, by part name (stats; a leak shows as a count that never falls). */
  held(): Record<string, number>;
}

export function createTrackParts(parts: Record<string, TrackPart>): TrackParts {
  const list = Object.values(parts);
  return {
    rename(from, to) {
      for (const p of list) p.rename(from, to);
    },
    forget(trackId) {
      for (const p of list) p.forget(trackId);
    },
    held: () => Object.fromEntries(Object.entries(parts).map(([name, p]) => [name, p.heldTracks()])),
  };
}

/** The TrackPart of a part whose state is one map entry per track id. */
export function mapTrackPart(byTrack: Map<number, unknown>): TrackPart {
  return {
    rename(from, to) {
      const v = byTrack.get(from);
      byTrack.delete(from);
      if (v !== undefined) byTrack.set(to, v);
    },
    forget: (trackId) => void byTrack.delete(trackId),
    heldTracks: () => byTrack.size,
  };
}
