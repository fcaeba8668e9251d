/**
 * Packed RGB24 (HWC, 0..255) → planar float32 (CHW, 0..1), the input Ultralytics exports expect. One pass
 * over the pixels into a caller-owned Float32Array that is reused frame after frame (no per-frame allocation).
 */
export function toChwFloat(rgb: Uint8Array, width: number, height: number, out: Float32Array): Float32Array {
  const plane = width * height;
  if (rgb.length < plane * 3) throw new RangeError(`frame has ${rgb.length} bytes, expected ${plane * 3} for ${width}x${height} RGB24`);
  if (out.length < plane * 3) throw new RangeError(`tensor buffer has ${out.length} floats, expected ${plane * 3}`);
  const k = 1 / 255;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = rgb[p]! * k;
    out[i + plane] = rgb[p + 1]! * k;
    out[i + 2 * plane] = rgb[p + 2]! * k;
  }
  return out;
}
