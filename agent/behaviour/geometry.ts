/**
 * Plane geometry on normalised image coordinates (0..1, origin top-left, y down). Pure functions.
 */
import type { Point } from '../../common/layout.js';

/** Even–odd ray casting; points exactly on an edge may fall either way, which zone hysteresis absorbs. */
export function pointInPolygon(p: readonly [number, number], polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Where `p` lies relative to the segment a→b: `t` is the projection parameter (0 at a, 1 at b) and `d` the
 * signed perpendicular distance, negative on the walker's left. With y pointing down, the cross product
 * of a→b and a→p is negative for points on the left of someone walking from a to b.
 */
export function lineRelation(
  p: readonly [number, number],
  a: readonly [number, number],
  b: readonly [number, number],
): { t: number; d: number } {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  if (len === 0) return { t: 0, d: Math.hypot(p[0] - a[0], p[1] - a[1]) };
  const px = p[0] - a[0];
  const py = p[1] - a[1];
  return { t: (px * dx + py * dy) / (len * len), d: (dx * py - dy * px) / len };
}

export function distance(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Distance from `p` to the segment a→b. */
export function segmentDistance(p: readonly [number, number], a: readonly [number, number], b: readonly [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Whether the edge a→b runs along the picture's border (x = 0, x = 1, y = 0 or y = 1). */
function onFrameBorder(a: readonly [number, number], b: readonly [number, number]): boolean {
  return [0, 1].some((side) => (a[0] === side && b[0] === side) || (a[1] === side && b[1] === side));
}

/**
 * Signed distance from `p` to the border of `polygon`: negative inside, positive outside. Being inside the
 * polygon shrunk by `band` is `d <= -band`, outside the polygon grown by `band` is `d > band` (the exact Minkowski
 * offsets, for concave polygons too). Edges along the picture's border do not count as borders: the zone goes on
 * beyond the picture, so standing at the frame edge is not standing at the zone's edge (Infinity when no edge is left).
 */
export function signedDistance(p: readonly [number, number], polygon: readonly Point[]): number {
  let d = Infinity;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    if (!onFrameBorder(polygon[j]!, polygon[i]!)) d = Math.min(d, segmentDistance(p, polygon[j]!, polygon[i]!));
  }
  return pointInPolygon(p, polygon) ? -d : d;
}

/**
 * The point deepest inside the polygon (farthest from its border) and its depth, i.e. the inradius: sampled on a
 * grid over the bounding box, so at most one grid step short of the true value, which is all a band clamp needs.
 */
export function deepestPoint(polygon: readonly Point[], steps = 48): { point: [number, number]; depth: number } {
  const xs = polygon.map((q) => q[0]);
  const ys = polygon.map((q) => q[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  let best = { point: [(x0 + x1) / 2, (y0 + y1) / 2] as [number, number], depth: 0 };
  for (let i = 0; i <= steps; i++) {
    for (let k = 0; k <= steps; k++) {
      const p: [number, number] = [x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * k) / steps];
      const depth = -signedDistance(p, polygon);
      if (depth > best.depth) best = { point: p, depth };
    }
  }
  return best;
}
