/**
 * Colour-histogram embedder: the fallback when no re-id model is configured. Upper and lower body are
 * histogrammed separately (clothes are what tell people apart at this resolution) in a coarse hue ×
 * saturation grid plus a value histogram for greys; square-rooted (Hellinger) then L2-normalised so the
 * dot product behaves like the Bhattacharyya coefficient. Much weaker than OSNet: alike-dressed people collide.
 */
import { l2normalise, type Crop, type ReidEmbedder } from './types.js';

const H_BINS = 12;
const S_BINS = 3;
const V_BINS = 6;
const PART = H_BINS * S_BINS + V_BINS;

export function histogramOf(c: Crop): Float32Array {
  const out = new Float32Array(PART * 2);
  // Skip the head (top 15%) and feet (bottom 10%): hair and floor dominate there.
  const top = Math.floor(c.height * 0.15);
  const mid = Math.floor(c.height * 0.5);
  const bottom = Math.floor(c.height * 0.9);
  const x1 = Math.floor(c.width * 0.15);
  const x2 = Math.ceil(c.width * 0.85);
  for (let y = top; y < bottom; y++) {
    const base = y < mid ? 0 : PART;
    for (let x = x1; x < x2; x++) {
      const o = (y * c.width + x) * 3;
      const r = c.rgb[o]! / 255;
      const g = c.rgb[o + 1]! / 255;
      const b = c.rgb[o + 2]! / 255;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const s = max === 0 ? 0 : (max - min) / max;
      if (s < 0.2 || max < 0.15) {
        out[base + H_BINS * S_BINS + Math.min(V_BINS - 1, Math.floor(max * V_BINS))]! += 1;
        continue;
      }
      let h = 0;
      const d = max - min;
      if (max === r) h = ((g - b) / d + 6) % 6;
      else if (max === g) h = (b - r) / d + 2;
      else h = (r - g) / d + 4;
      const hb = Math.min(H_BINS - 1, Math.floor((h / 6) * H_BINS));
      const sb = Math.min(S_BINS - 1, Math.floor(((s - 0.2) / 0.8) * S_BINS));
      out[base + hb * S_BINS + sb]! += 1;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]!);
  return l2normalise(out);
}

export function createHistogramEmbedder(): ReidEmbedder {
  return {
    name: 'histogram',
    embed: async (crops) => crops.map(histogramOf),
  };
}
