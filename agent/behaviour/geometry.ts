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
