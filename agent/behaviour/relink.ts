/**
 * Best-effort identity across a tracker id switch. ByteTrack keeps an occluded person for its buffer, but a
 * longer or messier occlusion (another shopper passing in front) often ends with the old track coasting away
 * and a new id starting where the person reappears. A new track whose first anchor is close to where exactly
 * one recently lost (or just removed) track was last seen takes over that track's visitor, zones and queue
 * state, so the shopper is not counted twice. Precision first: two candidates in reach → no relink.
 */
import { distance } from './geometry.js';

export interface RelinkCandidate {
  trackId: number;
  /** Last anchor seen on a detector-matched box. */
  anchor: readonly [number, number];
  lastTrackedMs: number;
}

export interface RelinkConfig {
  /** How long after its last matched frame a track can be taken over (ms). */
  windowMs: number;
  /** How far (normalised image units) the new track may start from the old one's last anchor. */
  maxDistance: number;
}

export function pickRelink(candidates: readonly RelinkCandidate[], anchor: readonly [number, number], nowMs: number, cfg: RelinkConfig): number | null {
  const near = candidates.filter((c) => nowMs - c.lastTrackedMs <= cfg.windowMs && distance(c.anchor, anchor) <= cfg.maxDistance);
  return near.length === 1 ? near[0]!.trackId : null;
}
