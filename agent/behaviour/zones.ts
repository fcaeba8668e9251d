/**
 * Zone presence per track: ZONE_ENTER after `enter_frames` consecutive frames with the anchor inside,
 * ZONE_EXIT after `exit_frames` consecutive frames outside, both back-dated to the first frame of the run that
 * confirmed them so dwell is measured from the first foot in to the first foot out.
 */
import type { CameraZone } from '../../common/layout.js';
import { startDwell, takeDueDwell, type DwellSchedule } from './dwell.js';
import { pointInPolygon } from './geometry.js';
import type { TrackPart } from './track-part.js';

const EDGE = 1 - 1e-6;

export interface ZoneStay {
  zone: CameraZone;
  inside: boolean;
  /** Consecutive frames on the other side of the current state, and when that run started. */
  run: number;
  runStartMs: number;
  /** Set while inside. */
  enteredMs: number;
  lastInsideMs: number;
  dwell: DwellSchedule | null;
}

export type ZoneTransition =
  | { kind: 'enter'; zoneId: string; atMs: number }
  | { kind: 'exit'; zoneId: string; atMs: number; dwellMs: number }
  | { kind: 'dwell'; zoneId: string; atMs: number; dwellMs: number };

export interface ZoneTracker extends TrackPart {
  /** Feeds a detector-matched anchor; coasting predictions are not fed (they hold the current state). */
  observe(trackId: number, anchor: readonly [number, number], atMs: number): ZoneTransition[];
  /** Closes every open stay of a track that has gone (removed by the tracker), at its last inside frame. */
  close(trackId: number): ZoneTransition[];
  /** Open stays of a track (state read by the queue logic). */
  stays(trackId: number): ZoneStay[];
  /** Track ids currently inside `zoneId`. */
  occupants(zoneId: string): number[];
}

export function createZoneTracker(zones: readonly CameraZone[]): ZoneTracker {
  const byTrack = new Map<number, ZoneStay[]>();

  const staysOf = (trackId: number): ZoneStay[] => {
    let s = byTrack.get(trackId);
    if (!s) {
      s = zones.map((zone) => ({ zone, inside: false, run: 0, runStartMs: 0, enteredMs: 0, lastInsideMs: 0, dwell: null }));
      byTrack.set(trackId, s);
    }
    return s;
  };

  return {
    observe(trackId, anchor, atMs) {
      const out: ZoneTransition[] = [];
      // A box cut by the frame's bottom edge has its anchor exactly on y = 1, which even-odd ray casting puts
      // outside a polygon whose edge is y = 1; pull it just inside so zones can reach the frame edge.
      const p: [number, number] = [Math.min(anchor[0], EDGE), Math.min(anchor[1], EDGE)];
      for (const stay of staysOf(trackId)) {
        const inPoly = pointInPolygon(p, stay.zone.polygon);
        if (inPoly) stay.lastInsideMs = atMs;
        if (inPoly === stay.inside) {
          stay.run = 0;
        } else {
          if (stay.run === 0) stay.runStartMs = atMs;
          stay.run++;
          const needed = stay.inside ? stay.zone.exit_frames : stay.zone.enter_frames;
          if (stay.run >= needed) {
            stay.inside = inPoly;
            stay.run = 0;
            if (inPoly) {
              stay.enteredMs = stay.runStartMs;
              stay.dwell = startDwell(stay.enteredMs, stay.zone.dwell_ms);
              out.push({ kind: 'enter', zoneId: stay.zone.zone_id, atMs: stay.enteredMs });
            } else {
              stay.dwell = null;
              out.push({ kind: 'exit', zoneId: stay.zone.zone_id, atMs: stay.runStartMs, dwellMs: stay.runStartMs - stay.enteredMs });
            }
          }
        }
        if (stay.inside && stay.dwell) {
          const dwellMs = takeDueDwell(stay.dwell, atMs, stay.zone.dwell_repeat_ms);
          if (dwellMs !== null) out.push({ kind: 'dwell', zoneId: stay.zone.zone_id, atMs, dwellMs });
        }
      }
      return out;
    },
    close(trackId) {
      const out: ZoneTransition[] = [];
      for (const stay of byTrack.get(trackId) ?? []) {
        if (stay.inside) {
          out.push({ kind: 'exit', zoneId: stay.zone.zone_id, atMs: stay.lastInsideMs, dwellMs: stay.lastInsideMs - stay.enteredMs });
        }
      }
      byTrack.delete(trackId);
      return out;
    },
    stays(trackId) {
      return byTrack.get(trackId) ?? [];
    },
    rename(from, to) {
      const s = byTrack.get(from);
      byTrack.delete(from);
      if (s) byTrack.set(to, s);
    },
    forget(trackId) {
      byTrack.delete(trackId);
    },
    heldTracks: () => byTrack.size,
    occupants(zoneId) {
      const ids: number[] = [];
      for (const [trackId, stays] of byTrack) {
        if (stays.some((s) => s.inside && s.zone.zone_id === zoneId)) ids.push(trackId);
      }
      return ids;
    },
  };
}
