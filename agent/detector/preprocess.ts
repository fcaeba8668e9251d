/**
 * Packed RGB24 (HWC, 0..255) → planar float32 (CHW) in the channel order and scale the model expects: RGB 0..1
 * for Ultralytics exports, BGR 0..255 for YOLOX (trained on OpenCV images without normalisation). One pass over
 * the pixels into a caller-owned Float32Array that is reused frame after frame (no per-frame allocation).
 */
export interface TensorLayout {
  channelOrder: 'rgb' | 'bgr';
  /** Multiplier from a 0..255 byte to the model's input value. */
  pixelScale: number;
}

const RGB_UNIT: TensorLayout = Object.freeze({ channelOrder: 'rgb', pixelScale: 1 / 255 });

export function toChw(rgb: Uint8Array, width: number, height: number, out: Float32Array, layout: TensorLayout): Float32Array {
  const plane = width * height;
  if (rgb.length < plane * 3) throw new RangeError(`frame has ${rgb.length} bytes, expected ${plane * 3} for ${width}x${height} RGB24`);
  if (out.length < plane * 3) throw new RangeError(`tensor buffer has ${out.length} floats, expected ${plane * 3}`);
  const k = layout.pixelScale;
  // Plane offsets of R and B: swapping them is all BGR takes.
  const rAt = layout.channelOrder === 'rgb' ? 0 : 2 * plane;
  const bAt = layout.channelOrder === 'rgb' ? 2 * plane : 0;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i + rAt] = rgb[p]! * k;
    out[i + plane] = rgb[p + 1]! * k;
    out[i + bAt] = rgb[p + 2]! * k;
  }
  return out;
}

/** RGB 0..1, the Ultralytics input. */
export function toChwFloat(rgb: Uint8Array, width: number, height: number, out: Float32Array): Float32Array {
  return toChw(rgb, width, height, out, RGB_UNIT);
}
