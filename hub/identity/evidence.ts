/**
 * Evidence that a track and an entrance visitor are one person, as a log-likelihood ratio (nats): appearance
 * (how much likelier the cosine is for the same person than for two different people, under the distributions
 * measured for the re-id model across two cameras) plus transit (the prior that a visitor who entered `d` ago is
 * the one appearing now, from the store's log-normal transit time). Pure.
 */

/** A distribution of cosines given by its 5th, 50th and 95th percentiles (fitted as a two-piece normal). */
export interface CosineDist {
  p5: number;
  p50: number;
  p95: number;
}

export interface AppearanceModel {
  same: CosineDist;
  other: CosineDist;
}

/** Cosine distributions by relation: two different cameras, or one camera (entering vs leaving track). */
export interface AppearanceModels {
  crossCamera: AppearanceModel;
  sameCamera: AppearanceModel;
}

/**
 * OSNet x0.25 across two disjoint cameras, 74 people: measured same person p5/p50/p95 0.65/0.73/0.82, different
 * people 0.42/0.52/0.65, rank-1 93 % in galleries of 10 and 76 % among 74. Fitted as normals — same N(0.735, 0.052),
 * different N(0.525, 0.070) — which are within 0.01 of every measured quantile AND reproduce both rank-1 figures; a
 * skewed fit through the exact quantiles has a heavier upper tail for strangers and gives only 65 % rank-1 among 74
 * (test/scripts/simulate-identity.test.ts).
 */
export const OSNET_CROSS_CAMERA: AppearanceModel = {
  same: { p5: 0.735 - 1.6449 * 0.052, p50: 0.735, p95: 0.735 + 1.6449 * 0.052 },
  other: { p5: 0.525 - 1.6449 * 0.07, p50: 0.525, p95: 0.525 + 1.6449 * 0.07 },
};

/**
 * One camera, an entering and a leaving track: an ESTIMATE from the 6-person clip of the re-entry measurement
 * (docs/CHOICES.md, "Re-entry": same person 0.85–1.00, most ≥ 0.92; different people up to 0.87, look-alikes
 * 0.72–0.74), not a measurement at scale. Leaving shows the other side of a person, so it is kept well below
 * the same-direction figures.
 */
export const OSNET_SAME_CAMERA: AppearanceModel = {
  same: { p5: 0.74, p50: 0.86, p95: 0.95 },
  other: { p5: 0.44, p50: 0.56, p95: 0.72 },
};

export const DEFAULT_APPEARANCE: AppearanceModels = { crossCamera: OSNET_CROSS_CAMERA, sameCamera: OSNET_SAME_CAMERA };

const Z95 = 1.6448536;

/** Log density of the two-piece normal through p5/p50/p95 (the measured distributions are right-skewed). */
export function logDensity(x: number, d: CosineDist): number {
  const lo = (d.p50 - d.p5) / Z95;
  const hi = (d.p95 - d.p50) / Z95;
  const sd = x < d.p50 ? lo : hi;
  const z = (x - d.p50) / sd;
  return Math.log(2 / (Math.sqrt(2 * Math.PI) * (lo + hi))) - 0.5 * z * z;
}

/** log p(cos | same person) − log p(cos | different people). */
export function appearanceLlr(cos: number, m: AppearanceModel): number {
  return logDensity(cos, m.same) - logDensity(cos, m.other);
}

/**
 * Log prior (≤ 0) that a visitor who entered `sinceMs` ago is the person now appearing in another camera's view:
 * the log-normal density of the store's transit time (median `medianMs`, shape `sigma`) relative to its mode.
 * Someone who entered seconds ago has not reached the till yet; someone who entered hours ago has most likely
 * left unseen (exits are only known when a leaving track is linked).
 */
export function transitLogPrior(sinceMs: number, medianMs: number, sigma: number): number {
  const d = Math.max(sinceMs, 1000);
  const mode = medianMs * Math.exp(-sigma * sigma);
  const lm = Math.log(medianMs);
  return Math.log(mode / d) - ((Math.log(d) - lm) ** 2 - (Math.log(mode) - lm) ** 2) / (2 * sigma * sigma);
}
