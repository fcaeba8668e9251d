/**
 * The calibration editor's pure core: a store layout being edited (normalised 0..1 coordinates, as in
 * common/layout.ts), hit testing, snapping, the door line's hysteresis band and inside arrow, and mapping the
 * hub's validation message back to the shapes it names. No DOM: unit-tested in Node.
 */
import { pointInPolygon } from '../../../../agent/behaviour/geometry.js';
import { ZONE_DEFAULTS } from '../../../../agent/behaviour/zone-rules.js';

export type Pt = [number, number];

export interface DoorLine {
  line_id: string;
  a: Pt;
  b: Pt;
  inside: 'left' | 'right';
  hysteresis: number;
}
/** A camera zone; fields the editor does not touch (enter_frames, service_zone…) ride along unchanged. */
export interface CameraZone {
  zone_id: string;
  polygon: Pt[];
  /** Spatial band (normalised distance) around the border within which a visit neither starts nor ends. */
  band?: number;
  /** Billing zones: the till polygon (reaching it means served). */
  service_zone?: Pt[];
  [other: string]: unknown;
}
export interface StoreZone {
  zone_id: string;
  name: string;
  type: string;
  [other: string]: unknown;
}
export interface CameraLayout {
  camera_id: string;
  name?: string;
  door_lines: DoorLine[];
  zones: CameraZone[];
  [other: string]: unknown;
}
export interface EditLayout {
  store_id: string;
  name: string;
  zones: StoreZone[];
  cameras: CameraLayout[];
  [other: string]: unknown;
}

export const ZONE_TYPES = ['entrance', 'aisle', 'display', 'billing', 'staff_only'] as const;
export const DEFAULT_HYSTERESIS = 0.03;
/** The agent's default zone band, shown when a zone has none of its own. */
export const DEFAULT_ZONE_BAND = ZONE_DEFAULTS.band;

export type Selection =
  | { kind: 'line'; index: number; end?: 'a' | 'b' }
  | { kind: 'zone'; index: number; vertex?: number }
  | null;

/** Canvas size in pixels: tolerances are given in pixels so they feel the same at phone and desktop width. */
export interface View {
  w: number;
  h: number;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
export const clampPt = (p: Pt): Pt => [clamp01(p[0]), clamp01(p[1])];
const round = (v: number) => Math.round(v * 10_000) / 10_000;
export const roundPt = (p: Pt): Pt => [round(p[0]), round(p[1])];

/** Pixel distance between two normalised points in view `v`. */
export function pxDist(p: Pt, q: Pt, v: View): number {
  return Math.hypot((p[0] - q[0]) * v.w, (p[1] - q[1]) * v.h);
}

/** Every vertex and line end of a camera, for snapping (minus the one being dragged). */
export function snapTargets(cam: CameraLayout, skip: Selection = null): Pt[] {
  const out: Pt[] = [];
  cam.door_lines.forEach((l, i) => {
    if (!(skip?.kind === 'line' && skip.index === i && skip.end === 'a')) out.push(l.a);
    if (!(skip?.kind === 'line' && skip.index === i && skip.end === 'b')) out.push(l.b);
  });
  cam.zones.forEach((z, i) =>
    z.polygon.forEach((p, k) => {
      if (!(skip?.kind === 'zone' && skip.index === i && skip.vertex === k)) out.push(p);
    }),
  );
  return out;
}

/** Snaps to the nearest target within `tolPx`, else each axis to the image edge within `tolPx`; clamped to 0..1. */
export function snap(p: Pt, targets: readonly Pt[], v: View, tolPx = 10): Pt {
  let best: Pt | null = null;
  let bestD = tolPx;
  for (const t of targets) {
    const d = pxDist(p, t, v);
    if (d <= bestD) {
      best = t;
      bestD = d;
    }
  }
  if (best) return [best[0], best[1]];
  const edge = (x: number, size: number) => (x * size <= tolPx ? 0 : (1 - x) * size <= tolPx ? 1 : x);
  return roundPt(clampPt([edge(p[0], v.w), edge(p[1], v.h)]));
}

function segDistPx(p: Pt, a: Pt, b: Pt, v: View): number {
  const [ax, ay, bx, by, px, py] = [a[0] * v.w, a[1] * v.h, b[0] * v.w, b[1] * v.h, p[0] * v.w, p[1] * v.h];
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}


/** What is under the pointer: handles (line ends, vertices) first, then lines, then zone interiors. */
export function hit(cam: CameraLayout, p: Pt, v: View, tolPx = 12): Selection {
  for (const [i, l] of cam.door_lines.entries()) {
    if (pxDist(p, l.a, v) <= tolPx) return { kind: 'line', index: i, end: 'a' };
    if (pxDist(p, l.b, v) <= tolPx) return { kind: 'line', index: i, end: 'b' };
  }
  for (const [i, z] of cam.zones.entries()) {
    const k = z.polygon.findIndex((q) => pxDist(p, q, v) <= tolPx);
    if (k >= 0) return { kind: 'zone', index: i, vertex: k };
  }
  for (const [i, l] of cam.door_lines.entries()) if (segDistPx(p, l.a, l.b, v) <= tolPx) return { kind: 'line', index: i };
  for (let i = cam.zones.length - 1; i >= 0; i--) if (pointInPolygon(p, cam.zones[i]!.polygon)) return { kind: 'zone', index: i };
  return null;
}

/**
 * The band a crossing must clear (agent/behaviour/door-line.ts: ±hysteresis of normalised perpendicular
 * distance, so it is computed in normalised space) as four corners, and an arrow from the line's middle toward
 * its inside (left of a→b with y down is the side where the cross product is negative).
 */
export function bandOf(l: DoorLine): { band: [Pt, Pt, Pt, Pt]; arrow: [Pt, Pt] } {
  const dx = l.b[0] - l.a[0];
  const dy = l.b[1] - l.a[1];
  const len = Math.hypot(dx, dy) || 1;
  // Unit normal pointing to the walker's left (y down): (dy, -dx)/len.
  const left: Pt = [dy / len, -dx / len];
  const n: Pt = l.inside === 'left' ? left : [-left[0], -left[1]];
  const h = l.hysteresis;
  const off = (p: Pt, s: number): Pt => [p[0] + n[0] * h * s, p[1] + n[1] * h * s];
  const mid: Pt = [(l.a[0] + l.b[0]) / 2, (l.a[1] + l.b[1]) / 2];
  const reach = Math.max(h * 2, 0.06);
  return { band: [off(l.a, 1), off(l.b, 1), off(l.b, -1), off(l.a, -1)], arrow: [mid, [mid[0] + n[0] * reach, mid[1] + n[1] * reach]] };
}

/** `PREFIX_1`, `PREFIX_2`…: the first id not in `taken`. */
export function nextId(prefix: string, taken: Iterable<string>): string {
  const set = new Set(taken);
  for (let i = 1; ; i++) if (!set.has(`${prefix}_${i}`)) return `${prefix}_${i}`;
}

/** Adds a zone drawn on camera `ci`: a store zone (name, type) and the camera's polygon. Returns its index. */
export function addZone(layout: EditLayout, ci: number, polygon: Pt[]): number {
  const id = nextId('ZONE', layout.zones.map((z) => z.zone_id));
  layout.zones.push({ zone_id: id, name: id, type: 'display' });
  const cam = layout.cameras[ci]!;
  cam.zones.push({ zone_id: id, polygon: polygon.map(roundPt) });
  return cam.zones.length - 1;
}

/** Removes a camera's zone; its store entry goes too unless another camera still draws it. */
export function removeZone(layout: EditLayout, ci: number, zi: number): void {
  const [gone] = layout.cameras[ci]!.zones.splice(zi, 1);
  if (gone && !layout.cameras.some((c) => c.zones.some((z) => z.zone_id === gone.zone_id))) {
    layout.zones = layout.zones.filter((z) => z.zone_id !== gone.zone_id);
  }
}

/** Deletes one vertex; refused (false) when the polygon would drop below three. */
export function deleteVertex(zone: CameraZone, vertex: number): boolean {
  if (zone.polygon.length <= 3) return false;
  zone.polygon.splice(vertex, 1);
  return true;
}

/** Shape keys: `line:<i>`, `zone:<i>` on the camera being edited; `layout` for anything else. */
export type ShapeKey = `line:${number}` | `zone:${number}` | 'layout';

/**
 * Splits the hub's `layout: path: reason; path: reason` message (common/layout.ts describeIssues) and files each
 * reason under the shape of camera `ci` it names; a store zone's name/type error goes to that zone's polygon.
 */
export function errorsByShape(message: string, layout: EditLayout, ci: number): Map<ShapeKey, string[]> {
  const out = new Map<ShapeKey, string[]>();
  const add = (k: ShapeKey, m: string) => out.set(k, [...(out.get(k) ?? []), m]);
  const body = message.replace(/^layout: /, '');
  for (const part of body.split('; ')) {
    const m = /^([\w.]+): (.*)$/.exec(part);
    if (!m) {
      add('layout', part);
      continue;
    }
    const path = m[1]!.split('.');
    const reason = `${path.slice(path[0] === 'cameras' ? 4 : 2).join('.') || path.join('.')}: ${m[2]}`;
    if (path[0] === 'cameras' && Number(path[1]) === ci && (path[2] === 'door_lines' || path[2] === 'zones') && path[3] !== undefined) {
      add(`${path[2] === 'door_lines' ? 'line' : 'zone'}:${Number(path[3])}`, reason);
    } else if (path[0] === 'zones' && path[1] !== undefined) {
      const id = layout.zones[Number(path[1])]?.zone_id;
      const zi = layout.cameras[ci]?.zones.findIndex((z) => z.zone_id === id) ?? -1;
      add(zi >= 0 ? `zone:${zi}` : 'layout', reason);
    } else add('layout', `${m[1]}: ${m[2]}`);
  }
  return out;
}
