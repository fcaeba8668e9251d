import type { Box } from '../types.js';

/** A packed RGB24 image. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface BackgroundOptions {
  /** Images wider than this are reduced by an integer area-average factor first (memory and payload size). */
  maxWidth: number;
  /** Samples kept (a ring: the oldest is dropped); the median is taken over these. */
  samples: number;
  /** Person boxes are grown by this fraction of their width/height on each side: detector boxes are tight,
   *  and hair, elbows and shadows stick out of them. */
  margin: number;
  /** Colour of pixels that were inside a person box in every kept sample (never observed empty). */
  fill: readonly [number, number, number];
}

export const DEFAULT_BACKGROUND_OPTIONS: BackgroundOptions = { maxWidth: 480, samples: 24, margin: 0.1, fill: [128, 128, 128] };

export interface BackgroundEstimate extends RgbImage {
  /** Share of pixels observed empty in at least one sample (the rest carry `fill`). */
  coverage: number;
  samples: number;
}

interface Sample {
  pixels: Uint8Array;
  /** 1 where a person box (grown by the margin) touches the pixel: never used. */
  masked: Uint8Array;
}

/**
 * People-free background of a fixed camera: the per-pixel temporal median of sampled frames (the classic
 * static-background estimate; see Piccardi, "Background subtraction techniques: a review", 2004), except that a
 * pixel is only sampled from frames where no person box covers it. So no pixel of a detected person can reach
 * the output: a pixel covered in every kept sample gets `fill`, never a value from those frames. A person the
 * detector misses is still outvoted by the median as long as they stand in fewer than half the samples.
 */
export function createBackgroundEstimator(opts: Partial<BackgroundOptions> = {}) {
  const o = { ...DEFAULT_BACKGROUND_OPTIONS, ...opts };
  if (!(Number.isInteger(o.samples) && o.samples >= 1)) throw new RangeError(`background: samples must be a positive integer (got ${o.samples})`);
  if (!(o.maxWidth >= 1)) throw new RangeError(`background: maxWidth must be ≥ 1 (got ${o.maxWidth})`);
  const ring: Sample[] = [];
  let next = 0;
  let size: { width: number; height: number; factor: number } | null = null;

  function sizeFor(img: RgbImage) {
    const factor = Math.max(1, Math.ceil(img.width / o.maxWidth));
    return { width: Math.floor(img.width / factor), height: Math.floor(img.height / factor), factor };
  }

  return {
    /** Adds one frame; `persons` are boxes in the image's pixel coordinates. */
    add(img: RgbImage, persons: readonly Box[]): void {
      if (img.data.length !== img.width * img.height * 3) {
        throw new RangeError(`background: image data is ${img.data.length} bytes, expected ${img.width}×${img.height}×3`);
      }
      const s = sizeFor(img);
      if (size && (s.width !== size.width || s.height !== size.height || s.factor !== size.factor)) {
        ring.length = 0; // the camera's resolution changed: the old samples no longer line up
        next = 0;
      }
      size = s;
      const sample = { pixels: downscale(img, s.factor, s.width, s.height), masked: maskOf(persons, s, o.margin) };
      if (ring.length < o.samples) ring.push(sample);
      else ring[next] = sample;
      next = (next + 1) % o.samples;
    },
    /** The median of the kept samples; null before the first sample. */
    estimate(): BackgroundEstimate | null {
      if (!size || ring.length === 0) return null;
      return median(ring, size.width, size.height, o.fill);
    },
    sampleCount: () => ring.length,
    options: o,
  };
}
export type BackgroundEstimator = ReturnType<typeof createBackgroundEstimator>;

/** Integer-factor area average (factor 1 copies). */
function downscale(img: RgbImage, f: number, w: number, h: number): Uint8Array {
  if (f === 1) return Uint8Array.from(img.data.subarray(0, w * h * 3));
  const out = new Uint8Array(w * h * 3);
  const n = f * f;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < f; dy++) {
        let i = ((y * f + dy) * img.width + x * f) * 3;
        for (let dx = 0; dx < f; dx++, i += 3) {
          r += img.data[i]!;
          g += img.data[i + 1]!;
          b += img.data[i + 2]!;
        }
      }
      const o = (y * w + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return out;
}

/**
 * Pixels of the reduced image whose source footprint touches a grown box. Rounding is outward (floor/ceil), so a
 * reduced pixel that averages even one person pixel is masked.
 */
function maskOf(persons: readonly Box[], s: { width: number; height: number; factor: number }, margin: number): Uint8Array {
  const mask = new Uint8Array(s.width * s.height);
  for (const b of persons) {
    const mx = (b.x2 - b.x1) * margin;
    const my = (b.y2 - b.y1) * margin;
    const x1 = Math.max(0, Math.floor((b.x1 - mx) / s.factor));
    const y1 = Math.max(0, Math.floor((b.y1 - my) / s.factor));
    const x2 = Math.min(s.width, Math.ceil((b.x2 + mx) / s.factor));
    const y2 = Math.min(s.height, Math.ceil((b.y2 + my) / s.factor));
    for (let y = y1; y < y2; y++) mask.fill(1, y * s.width + x1, y * s.width + Math.max(x1, x2));
  }
  return mask;
}

function median(ring: readonly Sample[], w: number, h: number, fill: readonly [number, number, number]): BackgroundEstimate {
  const out = new Uint8Array(w * h * 3);
  const vals = new Uint8Array(ring.length);
  let observed = 0;
  for (let p = 0; p < w * h; p++) {
    for (let ch = 0; ch < 3; ch++) {
      let n = 0;
      for (const s of ring) if (!s.masked[p]) vals[n++] = s.pixels[p * 3 + ch]!;
      if (n === 0) {
        out[p * 3 + ch] = fill[ch]!;
        continue;
      }
      if (ch === 0) observed += 1;
      // Insertion sort: n ≤ samples (24), cheaper than a typed-array sort call per pixel.
      for (let i = 1; i < n; i++) {
        const v = vals[i]!;
        let j = i - 1;
        while (j >= 0 && vals[j]! > v) vals[j + 1] = vals[j--]!;
        vals[j + 1] = v;
      }
      out[p * 3 + ch] = vals[(n - 1) >> 1]!; // lower median: always a value some empty sample actually had
    }
  }
  return { width: w, height: h, data: out, coverage: observed / (w * h), samples: ring.length };
}
