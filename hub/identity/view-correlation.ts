/**
 * How far a look-alike in one view is a look-alike in another, measured on the store's own links. For a linked
 * pair (track T of a non-entrance camera, entering track Eᵥ), every other visitor u who entered shortly before is a
 * stranger to both, and the two cosines T–Eᵤ and Eᵥ–Eᵤ are two views of the same pair of people: their correlation
 * (on the normal scores of the different-people distributions) is the correlation of a look-alike's views. Pure.
 */
import { normalScore, type AppearanceModels } from './evidence.js';

export interface LinkedPair {
  /** Cosines of the linked track and of the linked entering track with each of the same strangers' entering tracks. */
  trackVsOthers: readonly number[];
  enteringVsOthers: readonly number[];
}

export interface CorrelationEstimate {
  /** Mean of the per-pair correlations (Fisher z averaged), and its standard error; null with fewer than 2 pairs. */
  r: number | null;
  se: number | null;
  pairs: number;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  const mx = x.reduce((a, v) => a + v, 0) / n;
  const my = y.reduce((a, v) => a + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** The look-alike correlation over the linked pairs, with the spread between pairs as its uncertainty. */
export function estimateLookAlikeCorrelation(pairs: readonly LinkedPair[], models: AppearanceModels): CorrelationEstimate {
  const zs: number[] = [];
  for (const p of pairs) {
    const r = pearson(
      p.trackVsOthers.map((c) => normalScore(c, models.crossCamera.other)),
      p.enteringVsOthers.map((c) => normalScore(c, models.sameCamera.other)),
    );
    if (r !== null) zs.push(Math.atanh(Math.max(-0.999, Math.min(0.999, r))));
  }
  if (zs.length < 2) return { r: null, se: null, pairs: zs.length };
  const m = zs.reduce((a, v) => a + v, 0) / zs.length;
  const sd = Math.sqrt(zs.reduce((a, v) => a + (v - m) ** 2, 0) / (zs.length - 1));
  return { r: Math.tanh(m), se: sd / Math.sqrt(zs.length), pairs: zs.length };
}
