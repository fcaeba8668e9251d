/**
 * Zone presence per track, with hysteresis in space and time (the zone's counterpart of the door line's band).
 * A visit starts once the anchor has stayed inside the polygon shrunk by the zone's band for `enter_ms`, and ends
 * once it has stayed outside the polygon grown by the band for `exit_ms`; an anchor within the band never starts
 * nor ends a visit, so where exactly a border sits within the band does not change what a standing person does.
 * ZONE_ENTER is back-dated to the first anchor of the run that confirmed it, ZONE_EXIT to the first anchor outside
 * the grown polygon, so dwell is measured from the first step in to the first step out.
 */
import type { CameraZone } from '../../common/layout.js';
import { startDwell, takeDueDwell, type DwellSchedule } from './dwell.js';
import { signedDistance } from './geometry.js';
import { mapTrackPart, type TrackPart } from './track-part.js';
import { resolveZoneRules, runLasted, type ZoneRules } from './zone-rules.js';

const EDGE = 1 - 1e-6;

export interface ZoneStay {
  zone: CameraZone;
  inside: boolean;
  /** First anchor of the current run on the other side of the state (null: no run). */
  runStartMs: number | null;
  /** Set while inside. */
  enteredMs: number;
  /** Last anchor within the grown polygon. */
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
  /**
   * Swaps in a new zone list between frames (a calibration pushed live). A zone kept by id keeps each track's
   * stay (inside, dwell schedule) with the new polygon and counts, so a person still inside stays in and one the
   * new polygon leaves out exits after the usual `exit_ms` (band included); a new zone starts outside for everyone; a removed
   * zone closes every open stay at its last inside frame, as a track's end does. Returns those exits per track.
   */
  setZones(next: readonly CameraZone[]): { trackId: number; transition: ZoneTransition }[];
}

export function createZoneTracker(initial: readonly CameraZone[], fps: number): ZoneTracker {
  let zones = initial;
  let rules = new Map<CameraZone, ZoneRules>(zones.map((z) => [z, resolveZoneRules(z, fps)]));
  const byTrack = new Map<number, ZoneStay[]>();

  const freshStay = (zone: CameraZone): ZoneStay => ({ zone, inside: false, runStartMs: null, enteredMs: 0, lastInsideMs: 0, dwell: null });
  const staysOf = (trackId: number): ZoneStay[] => {
    let s = byTrack.get(trackId);
    if (!s) {
      s = zones.map(freshStay);
      byTrack.set(trackId, s);
    }
    return s;
  };

  function step(stay: ZoneStay, d: number, atMs: number): ZoneTransition | null {
    const r = rules.get(stay.zone)!;
    if (d <= r.bandOut) stay.lastInsideMs = atMs;
    const across = stay.inside ? d > r.bandOut : d <= -r.bandIn;
    if (!across) {
      stay.runStartMs = null;
      return null;
    }
    stay.runStartMs ??= atMs;
    if (!runLasted(stay.runStartMs, atMs, stay.inside ? r.exitMs : r.enterMs, r.frameMs)) return null;
    const at = stay.runStartMs;
    stay.runStartMs = null;
    stay.inside = !stay.inside;
    if (stay.inside) {
      stay.enteredMs = at;
      stay.dwell = startDwell(at, stay.zone.dwell_ms);
      return { kind: 'enter', zoneId: stay.zone.zone_id, atMs: at };
    }
    stay.dwell = null;
    return { kind: 'exit', zoneId: stay.zone.zone_id, atMs: at, dwellMs: at - stay.enteredMs };
  }

  return {
    ...mapTrackPart(byTrack),
    observe(trackId, anchor, atMs) {
      const out: ZoneTransition[] = [];
      // A box cut by the frame's bottom edge has its anchor exactly on y = 1, which even-odd ray casting puts
      // outside a polygon whose edge is y = 1; pull it just inside so zones can reach the frame edge.
      const p: [number, number] = [Math.min(anchor[0], EDGE), Math.min(anchor[1], EDGE)];
      for (const stay of staysOf(trackId)) {
        const t = step(stay, signedDistance(p, stay.zone.polygon), atMs);
        if (t) out.push(t);
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
    setZones(next) {
      const out: { trackId: number; transition: ZoneTransition }[] = [];
      const nextIds = new Set(next.map((z) => z.zone_id));
      for (const [trackId, stays] of byTrack) {
        const kept = new Map(stays.map((st) => [st.zone.zone_id, st]));
        for (const st of stays) {
          if (nextIds.has(st.zone.zone_id) || !st.inside) continue;
          const transition: ZoneTransition = { kind: 'exit', zoneId: st.zone.zone_id, atMs: st.lastInsideMs, dwellMs: st.lastInsideMs - st.enteredMs };
          out.push({ trackId, transition });
        }
        // A half-finished run was counted against the old polygon: restart it against the new one.
        byTrack.set(trackId, next.map((zone) => {
          const st = kept.get(zone.zone_id);
          return st ? { ...st, zone, runStartMs: null } : freshStay(zone);
        }));
      }
      zones = next;
      rules = new Map(zones.map((z) => [z, resolveZoneRules(z, fps)]));
      return out;
    },
    occupants(zoneId) {
      const ids: number[] = [];
      for (const [trackId, stays] of byTrack) {
        if (stays.some((s) => s.inside && s.zone.zone_id === zoneId)) ids.push(trackId);
      }
      return ids;
    },
  };
}
