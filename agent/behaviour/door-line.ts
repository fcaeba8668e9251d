/**
 * Door-line crossing with hysteresis. A track's side of each line only changes once its anchor clears a band
 * of ±`hysteresis` around the line, so a person standing on the line or a jittering box never produces a
 * crossing (the classic failure of single-threshold line counters: one person, many counts).
 */
import type { DoorLine } from '../../common/layout.js';
import { lineRelation } from './geometry.js';
import type { TrackPart } from './track-part.js';

export type Side = 'inside' | 'outside';

export interface Crossing {
  lineId: string;
  /** The side the track has just cleared the band into. */
  to: Side;
}

/** How far past a segment's ends (in units of its length) an anchor still counts for that line. */
const END_MARGIN = 0.05;

/** Side of `line` for `anchor`: 'inside', 'outside', or null while inside the band or beyond the segment's ends. */
export function sideOf(line: DoorLine, anchor: readonly [number, number]): Side | null {
  const { t, d } = lineRelation(anchor, line.a, line.b);
  if (t < -END_MARGIN || t > 1 + END_MARGIN) return null;
  // d < 0 is the left of a walker going a→b (see geometry.ts).
  const towardInside = line.inside === 'left' ? -d : d;
  if (towardInside > line.hysteresis) return 'inside';
  if (towardInside < -line.hysteresis) return 'outside';
  return null;
}

export interface DoorLines extends TrackPart {
  /**
   * Feeds one anchor of a track. Only detector-matched ('tracked') anchors can make a crossing; a coasting
   * Kalman prediction is remembered separately (`coastedOutside`) because a prediction drifting across a
   * line while a person is merely occluded must not count.
   */
  observe(trackId: number, anchor: readonly [number, number], tracked: boolean): Crossing[];
  /** True when the track's last observed side was inside on some line but its coasting prediction went outside. */
  coastedOutside(trackId: number): boolean;
  /** True when the track's first settled side on any line was outside (it was seen coming in). */
  firstSeenOutside(trackId: number): boolean;
  readonly count: number;
  /**
   * Swaps in new lines between frames (a calibration pushed live). A line kept unchanged keeps every track's
   * side; a moved or new line takes each track's side from its last matched anchor (`lastAnchor`) without a
   * crossing, so a person standing still never crosses a line that moved under them, and one who walks on
   * crosses it normally; a removed line is forgotten.
   */
  setLines(next: readonly DoorLine[], lastAnchor: (trackId: number) => readonly [number, number] | null): void;
}

interface TrackSides {
  confirmed: Map<string, Side>;
  coasted: Map<string, Side>;
  firstOutside: boolean;
  /** Some side was ever settled (first-seen-outside is decided once, not again after a line moved). */
  settled: boolean;
}

export function createDoorLines(initial: readonly DoorLine[]): DoorLines {
  let lines = initial;
  const tracks = new Map<number, TrackSides>();
  const stateOf = (trackId: number): TrackSides => {
    let s = tracks.get(trackId);
    if (!s) {
      s = { confirmed: new Map(), coasted: new Map(), firstOutside: false, settled: false };
      tracks.set(trackId, s);
    }
    return s;
  };

  return {
    get count() {
      return lines.length;
    },
    setLines(next, lastAnchor) {
      const same = (l: DoorLine) => lines.some((o) => JSON.stringify(o) === JSON.stringify(l));
      for (const [trackId, s] of tracks) {
        const anchor = lastAnchor(trackId);
        for (const id of [...s.confirmed.keys(), ...s.coasted.keys()]) {
          if (next.some((l) => l.line_id === id && same(l))) continue;
          s.confirmed.delete(id);
          s.coasted.delete(id);
        }
        for (const l of next) {
          if (same(l) || !anchor) continue;
          const side = sideOf(l, anchor);
          if (side !== null) s.confirmed.set(l.line_id, side);
        }
      }
      lines = next;
    },
    observe(trackId, anchor, tracked) {
      const s = stateOf(trackId);
      const crossings: Crossing[] = [];
      for (const line of lines) {
        const side = sideOf(line, anchor);
        if (side === null) continue;
        if (!tracked) {
          s.coasted.set(line.line_id, side);
          continue;
        }
        s.coasted.delete(line.line_id);
        const prev = s.confirmed.get(line.line_id);
        if (!s.settled && side === 'outside') s.firstOutside = true;
        s.settled = true;
        s.confirmed.set(line.line_id, side);
        if (prev !== undefined && prev !== side) crossings.push({ lineId: line.line_id, to: side });
      }
      return crossings;
    },
    coastedOutside(trackId) {
      const s = tracks.get(trackId);
      if (!s) return false;
      for (const [lineId, side] of s.coasted) {
        if (side === 'outside' && s.confirmed.get(lineId) === 'inside') return true;
      }
      return false;
    },
    firstSeenOutside(trackId) {
      return tracks.get(trackId)?.firstOutside ?? false;
    },
    forget(trackId) {
      tracks.delete(trackId);
    },
    rename(from, to) {
      const s = tracks.get(from);
      tracks.delete(from);
      if (s) tracks.set(to, s);
    },
    heldTracks: () => tracks.size,
  };
}
