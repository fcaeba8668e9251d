/**
 * A zone's presence rules in the units the zone tracker works in: milliseconds and normalised distances, resolved
 * once per camera from the layout (common/layout.ts) and the camera's frame rate. One defaults table.
 */
import type { CameraZone } from '../../common/layout.js';
import { deepestPoint } from './geometry.js';

export const ZONE_DEFAULTS = {
  /** Spatial band (normalised): in when inside the polygon shrunk by it, out when outside the polygon grown by it. */
  band: 0.03,
  /** Time (ms) inside the shrunk polygon before ZONE_ENTER: 3 frames at 10 fps, the old `enter_frames` default. */
  enterMs: 300,
  /** Time (ms) outside the grown polygon before ZONE_EXIT: 5 frames at 10 fps, the old `exit_frames` default. */
  exitMs: 500,
} as const;

export interface ZoneRules {
  /** How deep inside (normalised distance from the border) an anchor must be to count towards entering. */
  bandIn: number;
  /** How far outside an anchor must be to count towards leaving. */
  bandOut: number;
  enterMs: number;
  exitMs: number;
  /** One frame at the camera's rate (ms): a run of anchors lasts from its first frame to the end of its last. */
  frameMs: number;
}

/**
 * `enter_ms`/`exit_ms` win; older layouts' `enter_frames`/`exit_frames` mean that many frames at the camera's rate
 * (frames × 1000 / fps), so they keep their meaning at detect-every N, where they used to count inferred frames.
 * The shrink is at most half the zone's inradius, so a zone narrower than twice the band can still be entered.
 */
export function resolveZoneRules(zone: CameraZone, fps: number): ZoneRules {
  const frameMs = 1000 / fps;
  const band = zone.band ?? ZONE_DEFAULTS.band;
  return {
    bandIn: Math.min(band, deepestPoint(zone.polygon).depth / 2),
    bandOut: band,
    enterMs: zone.enter_ms ?? (zone.enter_frames !== undefined ? zone.enter_frames * frameMs : ZONE_DEFAULTS.enterMs),
    exitMs: zone.exit_ms ?? (zone.exit_frames !== undefined ? zone.exit_frames * frameMs : ZONE_DEFAULTS.exitMs),
    frameMs,
  };
}

/**
 * Whether a run of anchors that started at `startMs` and whose latest anchor is at `nowMs` has lasted `needMs`.
 * Frame timestamps are rounded to whole ms, so 1 ms of slack keeps "3 frames at 15 fps" equal to 200 ms.
 */
export function runLasted(startMs: number, nowMs: number, needMs: number, frameMs: number): boolean {
  return nowMs - startMs + frameMs + 1 >= needMs;
}
