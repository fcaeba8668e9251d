/**
 * Scripted scenes for behaviour tests: people given by their anchor (bottom centre, normalised) per frame,
 * rendered into TrackedFrames with a tiny letterboxed RGB buffer (each person's box painted in their colour).
 */
import type { StoreLayout } from '../../../common/layout.js';
import { storeLayoutSchema } from '../../../common/layout.js';
import type { Track, TrackedFrame } from '../../../agent/types.js';

export const SRC_W = 200;
export const SRC_H = 200;
const INPUT = 200;
const SCALE = INPUT / SRC_W;
export const T0 = Date.parse('2026-03-03T10:00:00.000Z');

export interface Person {
  id: number;
  x: number;
  y: number;
  score?: number;
  state?: 'tracked' | 'lost';
  rgb?: [number, number, number];
}

export function boxOf(p: Person) {
  return { x1: p.x * SRC_W - 12, x2: p.x * SRC_W + 12, y1: p.y * SRC_H - 80, y2: p.y * SRC_H };
}

export function frame(index: number, people: Person[], opts: { fps?: number; removed?: number[]; inferred?: boolean } = {}): TrackedFrame {
  const fps = opts.fps ?? 10;
  const rgb = new Uint8Array(INPUT * INPUT * 3).fill(128);
  const tracks: Track[] = people.map((p) => {
    const box = boxOf(p);
    const [r, g, b] = p.rgb ?? [40, 60, 160];
    for (let y = Math.max(0, Math.floor(box.y1 * SCALE)); y < Math.min(INPUT, Math.ceil(box.y2 * SCALE)); y++) {
      for (let x = Math.max(0, Math.floor(box.x1 * SCALE)); x < Math.min(INPUT, Math.ceil(box.x2 * SCALE)); x++) {
        // Texture so crops have some sharpness.
        const k = (x + y) % 2 ? 20 : 0;
        rgb.set([Math.min(255, r + k), Math.min(255, g + k), Math.min(255, b + k)], (y * INPUT + x) * 3);
      }
    }
    return { trackId: p.id, box, score: p.score ?? 0.9, state: p.state ?? 'tracked', age: index };
  });
  return {
    frame: {
      index,
      timestampMs: T0 + Math.round((index * 1000) / fps),
      sourceWidth: SRC_W,
      sourceHeight: SRC_H,
      rgb,
      letterbox: { scale: SCALE, padX: 0, padY: 0, inputWidth: INPUT, inputHeight: INPUT },
    },
    tracks,
    removed: opts.removed ?? [],
    inferred: opts.inferred ?? true,
  };
}

/** Linear walk of one person from `from` to `to` over `frames` frames (inclusive of both ends). */
export function walk(from: [number, number], to: [number, number], frames: number): [number, number][] {
  return Array.from({ length: frames }, (_, i) => {
    const t = frames === 1 ? 1 : i / (frames - 1);
    return [from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t];
  });
}

/**
 * A test store: one door camera (door line across y=0.8, inside above), a billing zone with a till and a
 * display zone; one zone camera with a staff-only zone. Orange uniforms.
 */
export function testStore(overrides: Record<string, unknown> = {}): StoreLayout {
  return storeLayoutSchema.parse({
    store_id: 'STORE_TEST_01',
    name: 'Test store',
    zones: [
      { zone_id: 'Z_TILL', name: 'Till', type: 'billing' },
      { zone_id: 'Z_SHELF', name: 'Shelf', type: 'display', sku_zone: 'SNACKS' },
      { zone_id: 'Z_BACK', name: 'Back room', type: 'staff_only' },
    ],
    cameras: [
      {
        camera_id: 'CAM_DOOR',
        door_lines: [{ line_id: 'DOOR', a: [0, 0.8], b: [1, 0.8], inside: 'left', hysteresis: 0.03 }],
        zones: [
          {
            zone_id: 'Z_TILL',
            polygon: [[0.6, 0.2], [1, 0.2], [1, 0.6], [0.6, 0.6]],
            service_zone: [[0.8, 0.2], [1, 0.2], [1, 0.4], [0.8, 0.4]],
          },
          { zone_id: 'Z_SHELF', polygon: [[0, 0.2], [0.4, 0.2], [0.4, 0.6], [0, 0.6]] },
        ],
      },
      { camera_id: 'CAM_FLOOR', zones: [{ zone_id: 'Z_BACK', polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] }] },
    ],
    staff: { uniform_colors: [{ rgb: [235, 110, 40], tolerance: 60 }], min_vote: 0.6 },
    ...overrides,
  });
}

/** A deterministic UUID factory: <8 hex counter>-0000-4000-8000-<same, 12 hex>. */
export function counterIds(): () => string {
  let n = 0;
  return () => {
    n++;
    const hex = n.toString(16).padStart(8, '0');
    return `${hex}-0000-4000-8000-${hex.padStart(12, '0')}`;
  };
}

/**
 * A scene as a function of the frame number: who is where. Tracks that disappear from one frame to the next
 * are reported in `removed` after `bufferFrames` (like the tracker's lost buffer), coasting as 'lost' until then.
 */
export function timeline(frames: number, at: (i: number) => Person[], bufferFrames = 0): TrackedFrame[] {
  const out: TrackedFrame[] = [];
  const lastSeen = new Map<number, { i: number; p: Person }>();
  for (let i = 0; i < frames; i++) {
    const people = at(i);
    for (const p of people) lastSeen.set(p.id, { i, p });
    const coasting: Person[] = [];
    const removed: number[] = [];
    for (const [id, seen] of lastSeen) {
      if (seen.i === i) continue;
      if (i - seen.i > bufferFrames) {
        removed.push(id);
        lastSeen.delete(id);
      } else coasting.push({ ...seen.p, state: 'lost' });
    }
    out.push(frame(i, [...people, ...coasting], { removed }));
  }
  return out;
}
