/**
 * Camera framings for the zone robustness evaluation: a framing is a crop of the source picture (fractions of its
 * width and height) followed by a scale to an output size. Pure: the ffmpeg filter that renders a framing, and the
 * re-projection of a camera's layout (door lines, zone and till polygons) onto the framed picture, so the polygons
 * cover the same floor they covered in the original view.
 */
import type { CameraLayout, Point } from '../../common/layout.js';

export interface Framing {
  name: string;
  /** Crop window in fractions of the source: left, top, width, height. */
  crop: { x: number; y: number; w: number; h: number };
  /** Output size in pixels (both even, as the H.264 encoder wants). */
  out: { w: number; h: number };
}

/** ffmpeg `-vf` chain: crop in source pixels (whole, even), then scale. */
export function framingFilter(f: Framing, srcW: number, srcH: number): string {
  const px = cropPixels(f, srcW, srcH);
  return `crop=${px.w}:${px.h}:${px.x}:${px.y},scale=${f.out.w}:${f.out.h}`;
}

/** The crop rounded to whole pixels, the way ffmpeg applies it (even sizes keep chroma subsampling aligned). */
export function cropPixels(f: Framing, srcW: number, srcH: number): { x: number; y: number; w: number; h: number } {
  const even = (v: number) => Math.max(2, 2 * Math.round(v / 2));
  const w = Math.min(srcW, even(f.crop.w * srcW));
  const h = Math.min(srcH, even(f.crop.h * srcH));
  const x = Math.min(srcW - w, Math.max(0, Math.round(f.crop.x * srcW)));
  const y = Math.min(srcH - h, Math.max(0, Math.round(f.crop.y * srcH)));
  return { x, y, w, h };
}

/** A normalised point of the source view in the framed view (clamped to the picture, as layouts must be). */
export function reprojectPoint(p: readonly [number, number], f: Framing, srcW: number, srcH: number): Point {
  const c = cropPixels(f, srcW, srcH);
  const clamp = (v: number) => Math.min(1, Math.max(0, Number(v.toFixed(4))));
  return [clamp((p[0] * srcW - c.x) / c.w), clamp((p[1] * srcH - c.y) / c.h)];
}

/**
 * The camera's layout as seen through the framing. Bands (door hysteresis, zone band) are left as they are:
 * they are in normalised units of the view, which is what a user drawing on the new view would keep.
 */
export function reprojectCamera(cam: CameraLayout, f: Framing, srcW: number, srcH: number): CameraLayout {
  const p = (q: readonly [number, number]) => reprojectPoint(q, f, srcW, srcH);
  return {
    ...cam,
    door_lines: cam.door_lines.map((l) => ({ ...l, a: p(l.a), b: p(l.b) })),
    zones: cam.zones.map((z) => ({ ...z, polygon: z.polygon.map(p), ...(z.service_zone ? { service_zone: z.service_zone.map(p) } : {}) })),
  };
}

/**
 * The framings `npm run eval:zones` renders of the 768×432 one-by-one clip. Every one keeps the counter, the
 * door line at the bottom and the right-hand way out in view, as a till camera placed differently would.
 */
export const FRAMINGS: readonly Framing[] = [
  { name: 'original', crop: { x: 0, y: 0, w: 1, h: 1 }, out: { w: 768, h: 432 } },
  { name: 'scaled-0.67', crop: { x: 0, y: 0, w: 1, h: 1 }, out: { w: 512, h: 288 } },
  { name: 'shift-8px', crop: { x: 8 / 768, y: 6 / 432, w: 760 / 768, h: 426 / 432 }, out: { w: 760, h: 426 } },
  { name: 'crop-left-15pc', crop: { x: 0.15, y: 0, w: 0.85, h: 1 }, out: { w: 652, h: 432 } },
  { name: 'crop-left-15pc-scaled', crop: { x: 0.15, y: 0, w: 0.85, h: 1 }, out: { w: 480, h: 318 } },
  { name: 'zoom-1.2', crop: { x: 0.12, y: 0.16, w: 0.84, h: 0.84 }, out: { w: 768, h: 432 } },
  { name: 'crop-top-20pc-scaled', crop: { x: 0, y: 0.2, w: 1, h: 0.8 }, out: { w: 640, h: 288 } },
];
