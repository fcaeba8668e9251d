/** Box conversions and IoU for the tracker (pure). Boxes are x1,y1,x2,y2 in source pixels. */
import type { Box } from '../types.js';

/** (cx, cy, aspect = w/h, h): the Kalman measurement space of ByteTrack. */
export function toXyah(b: Box): number[] {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  return [b.x1 + w / 2, b.y1 + h / 2, w / Math.max(h, 1e-6), h];
}

export function fromXyah(m: readonly number[]): Box {
  const [cx, cy, a, h] = m as [number, number, number, number];
  const w = a * h;
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}

/**
 * Intersection over union. `plusOne` counts a box from x1 to x2 as x2 − x1 + 1 pixels wide, as `cython_bbox`
 * (and the C++ port of ByteTrack) do: the reference tracker's IoU.
 */
export function iou(a: Box, b: Box, plusOne = false): number {
  const e = plusOne ? 1 : 0;
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + e;
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + e;
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1 + e) * (a.y2 - a.y1 + e) + (b.x2 - b.x1 + e) * (b.y2 - b.y1 + e) - inter;
  return union > 0 ? inter / union : 0;
}

/** 1 − IoU for every (track, detection) pair. */
export function iouDistance(tracks: readonly Box[], dets: readonly Box[], plusOne = false): number[][] {
  return tracks.map((t) => dets.map((d) => 1 - iou(t, d, plusOne)));
}

/**
 * ByteTrack's `fuse_score` (used when not in MOT20 mode): similarity = IoU × detection score, so a confident
 * detection wins a tie against a weak one overlapping the same track.
 */
export function fuseScore(dist: number[][], scores: readonly number[]): number[][] {
  return dist.map((row) => row.map((d, j) => 1 - (1 - d) * scores[j]!));
}
