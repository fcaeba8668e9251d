/**
 * Motion gate in the spirit of Frigate's motion detector: compare a small greyscale thumbnail of the frame with
 * a reference and only wake the detector when enough of it changed. The reference is the thumbnail of the last
 * frame the model saw, so slow motion accumulates until it triggers instead of hiding below a per-frame
 * threshold. Pure: thumbnails are plain Uint8Arrays.
 */
export interface MotionOptions {
  /** Sampling step in model-input pixels (8 → an 80x80 thumbnail of a 640x640 input). */
  step: number;
  /** Per-cell grey-level change (0..255) that counts as changed; Frigate's default threshold is 30. */
  pixelThreshold: number;
  /** Share of cells that must change to count as motion. */
  areaThreshold: number;
}

export const MOTION_DEFAULTS: MotionOptions = Object.freeze({ step: 8, pixelThreshold: 25, areaThreshold: 0.0015 });

/** Greyscale (BT.601 luma, integer weights) sampled every `step` pixels of a packed RGB24 image. */
export function thumbnail(rgb: Uint8Array, width: number, height: number, step: number): Uint8Array {
  const tw = Math.floor(width / step);
  const th = Math.floor(height / step);
  const out = new Uint8Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    const row = ty * step * width;
    for (let tx = 0; tx < tw; tx++) {
      const p = (row + tx * step) * 3;
      out[ty * tw + tx] = (rgb[p]! * 77 + rgb[p + 1]! * 150 + rgb[p + 2]! * 29) >> 8;
    }
  }
  return out;
}

/** Share (0..1) of thumbnail cells whose grey level moved by more than `pixelThreshold`. */
export function changedShare(a: Uint8Array, b: Uint8Array, pixelThreshold: number): number {
  if (a.length !== b.length) return 1;
  let changed = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > pixelThreshold) changed++;
  return a.length === 0 ? 0 : changed / a.length;
}

export class MotionGate {
  private reference: Uint8Array | undefined;
  readonly options: MotionOptions;

  constructor(options: Partial<MotionOptions> = {}) {
    this.options = { ...MOTION_DEFAULTS, ...options };
  }

  /** True when the frame differs enough from the reference (or there is none yet). */
  moved(rgb: Uint8Array, width: number, height: number): { moved: boolean; thumb: Uint8Array } {
    const thumb = thumbnail(rgb, width, height, this.options.step);
    const moved = !this.reference || changedShare(this.reference, thumb, this.options.pixelThreshold) >= this.options.areaThreshold;
    return { moved, thumb };
  }

  /** Call with the thumbnail of every frame the detector ran on. */
  setReference(thumb: Uint8Array): void {
    this.reference = thumb;
  }
}
