/**
 * Property tests of zone presence (agent/behaviour/zones.ts) on random convex zones, bands and timings: a person
 * standing with their anchor jittering anywhere within the band around any edge is one visit; a person who really
 * leaves (past the band for longer than exit_ms) ends it, with the dwell from the first step in to the first step out.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { cameraZoneSchema, type CameraZone } from '../../../common/layout.js';
import { deepestPoint } from '../../../agent/behaviour/geometry.js';
import { createZoneTracker, type ZoneTransition } from '../../../agent/behaviour/zones.js';

const FPS = 10;
const FRAME_MS = 1000 / FPS;

type P = [number, number];

/** A convex polygon: sorted angles on an ellipse inside [0.1, 0.9]², no angle gap above 150° (not a sliver). */
const convexZone = fc
  .record({
    cx: fc.double({ min: 0.4, max: 0.6, noNaN: true }),
    cy: fc.double({ min: 0.4, max: 0.6, noNaN: true }),
    rx: fc.double({ min: 0.12, max: 0.28, noNaN: true }),
    ry: fc.double({ min: 0.12, max: 0.28, noNaN: true }),
    angles: fc.uniqueArray(fc.integer({ min: 0, max: 359 }), { minLength: 3, maxLength: 8 }),
    band: fc.double({ min: 0.005, max: 0.05, noNaN: true }),
    enterMs: fc.integer({ min: 0, max: 1000 }),
    exitMs: fc.integer({ min: 0, max: 2000 }),
  })
  .filter(({ angles }) => {
    const a = [...angles].sort((x, y) => x - y);
    return a.every((v, i) => ((a[(i + 1) % a.length]! - v + 360) % 360 || 360) <= 150);
  })
  .map(({ cx, cy, rx, ry, angles, band, enterMs, exitMs }) => {
    const polygon = [...angles].sort((x, y) => x - y).map((deg): P => [cx + rx * Math.cos((deg * Math.PI) / 180), cy + ry * Math.sin((deg * Math.PI) / 180)]);
    return cameraZoneSchema.parse({ zone_id: 'Z', polygon, band, enter_ms: enterMs, exit_ms: exitMs });
  });

const deepest = new WeakMap<object, P>();
/** The zone's deepest point (cached: the grid search is the slow part of these runs). */
function centre(zone: CameraZone): P {
  if (!deepest.has(zone.polygon)) deepest.set(zone.polygon, deepestPoint(zone.polygon).point);
  return deepest.get(zone.polygon)!;
}

/** A point on edge `i` at `t` along it, with the edge's outward unit normal. */
function edgePoint(zone: CameraZone, i: number, t: number): { q: P; out: P } {
  const poly = zone.polygon;
  const a = poly[i % poly.length]!;
  const b = poly[(i + 1) % poly.length]!;
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const n: P = [(b[1] - a[1]) / len, -(b[0] - a[0]) / len];
  const q: P = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  // Orient the normal away from the polygon's deepest point (convex: that is outward).
  const c = centre(zone);
  const away = (q[0] - c[0]) * n[0] + (q[1] - c[1]) * n[1] > 0;
  return { q, out: away ? n : [-n[0], -n[1]] };
}

function feed(zone: CameraZone, anchors: P[]): { out: ZoneTransition[]; atMs: (i: number) => number } {
  const tracker = createZoneTracker([zone], FPS);
  const atMs = (i: number) => Math.round(i * FRAME_MS);
  return { out: anchors.flatMap((p, i) => tracker.observe(1, p, atMs(i))), atMs };
}

/** Walks in from the deepest point, long enough to enter, then to `q` on an edge. */
function walkIn(zone: CameraZone, q: P): P[] {
  const c = centre(zone);
  const settle = Math.ceil((zone.enter_ms ?? 0) / FRAME_MS) + 1;
  return [...Array<P>(settle).fill(c), ...Array.from({ length: 10 }, (_, k): P => [c[0] + ((q[0] - c[0]) * (k + 1)) / 10, c[1] + ((q[1] - c[1]) * (k + 1)) / 10])];
}

describe('agent/behaviour/zones properties', () => {
  it('a person standing with the anchor jittering anywhere within the band around any edge is one visit', () => {
    fc.assert(
      fc.property(
        convexZone,
        fc.nat(),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.array(fc.record({ r: fc.double({ min: 0, max: 0.99, noNaN: true }), phi: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }) }), { minLength: 1, maxLength: 300 }),
        (zone, edge, t, jitter) => {
          const { q } = edgePoint(zone, edge, t);
          const band = zone.band!;
          const standing = jitter.map(({ r, phi }): P => [q[0] + band * r * Math.cos(phi), q[1] + band * r * Math.sin(phi)]);
          const { out } = feed(zone, [...walkIn(zone, q), ...standing]);
          expect(out.filter((x) => x.kind !== 'dwell')).to.deep.equal([{ kind: 'enter', zoneId: 'Z', atMs: 0 }]);
        },
      ),
    );
  });

  it('a person who leaves past the band for longer than exit_ms ends the visit, back-dated, with the right dwell', () => {
    fc.assert(
      fc.property(
        convexZone,
        fc.nat(),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0.001, max: 0.04, noNaN: true }),
        (zone, edge, t, stayFrames, past) => {
          const { q, out: n } = edgePoint(zone, edge, t);
          const away: P = [q[0] + n[0] * (zone.band! + past), q[1] + n[1] * (zone.band! + past)];
          const inside = [...walkIn(zone, q), ...Array<P>(stayFrames).fill(q)];
          const leaveFrames = Math.ceil((zone.exit_ms ?? 0) / FRAME_MS) + 1;
          const { out, atMs } = feed(zone, [...inside, ...Array<P>(leaveFrames).fill(away)]);
          const firstOut = atMs(inside.length);
          expect(out.filter((x) => x.kind !== 'dwell')).to.deep.equal([
            { kind: 'enter', zoneId: 'Z', atMs: 0 },
            { kind: 'exit', zoneId: 'Z', atMs: firstOut, dwellMs: firstOut },
          ]);
        },
      ),
    );
  });
});
