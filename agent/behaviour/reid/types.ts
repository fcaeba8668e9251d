/** A person crop copied out of a frame (packed RGB24); the only pixels the behaviour layer keeps, never sent. */
export interface Crop {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/**
 * Appearance embedder (OSNet on onnxruntime, or the colour-histogram fallback). Async because onnxruntime-node
 * only offers an async `run`. Each returned vector is L2-normalised, so a dot product is a cosine similarity.
 */
export interface ReidEmbedder {
  /** 'osnet', 'histogram', … — logged and reported in stats so a fallback is visible. */
  readonly name: string;
  embed(crops: readonly Crop[]): Promise<Float32Array[]>;
}

export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}
