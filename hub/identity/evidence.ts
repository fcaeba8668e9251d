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

/**
 * When a person leaves after being seen at another camera (the till): most walk out within a few minutes, a share
 * keep browsing; the door camera sees (and the resolver links) only some exits. Used to weigh a candidate visitor
 * by when its leaving track came, or by its not having been seen leaving yet.
 */
export interface LeavingModel {
  /** Time from the end of the track to going out, for those who walk straight out: log-normal median (ms), shape. */
  leaveMedianMs: number;
  leaveSigma: number;
  /** Share who keep browsing first, and their time to going out: log-normal median (ms), shape. */
  lingerShare: number;
  lingerMedianMs: number;
  lingerSigma: number;
  /** Probability that a person's going out is seen by the entrance camera AND linked to their visit. */
  exitSeen: number;
  /** Mean remaining stay (ms) of anybody else inside (exponential): how another visitor's exit time falls. */
  residualStayMs: number;
}

export const DEFAULT_LEAVING: LeavingModel = {
  leaveMedianMs: 90_000,
  leaveSigma: 0.7,
  lingerShare: 0.3,
  lingerMedianMs: 10 * 60_000,
  lingerSigma: 1,
  exitSeen: 0.7,
  residualStayMs: 15 * 60_000,
};

const SQRT2PI = Math.sqrt(2 * Math.PI);

function logNormalPdf(x: number, median: number, sigma: number): number {
  const z = Math.log(x / median) / sigma;
  return Math.exp(-0.5 * z * z) / (x * sigma * SQRT2PI);
}

/** P(X > x) for a log-normal (Abramowitz–Stegun 7.1.26 erfc, |error| < 1.5e-7). */
function logNormalSf(x: number, median: number, sigma: number): number {
  if (x <= 0) return 1;
  const z = Math.log(x / median) / (sigma * Math.SQRT2);
  const t = 1 / (1 + 0.3275911 * Math.abs(z));
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** Density (per ms) of going out `gapMs` after the end of a track, for the track's own person. */
function leaveDensity(gapMs: number, m: LeavingModel): number {
  const g = Math.max(gapMs, 1000);
  return (1 - m.lingerShare) * logNormalPdf(g, m.leaveMedianMs, m.leaveSigma) + m.lingerShare * logNormalPdf(g, m.lingerMedianMs, m.lingerSigma);
}

function leaveSurvival(gapMs: number, m: LeavingModel): number {
  return (1 - m.lingerShare) * logNormalSf(gapMs, m.leaveMedianMs, m.leaveSigma) + m.lingerShare * logNormalSf(gapMs, m.lingerMedianMs, m.lingerSigma);
}

/**
 * Log-likelihood ratio (nats) of a candidate's exit at `exitMs` for the track [firstMs, lastMs]: the track's person
 * goes out after its end by the leaving model; anybody else who was inside at `firstMs` goes out at a constant rate.
 * The caller has already ruled out exits before the track ended. Capped beyond the typical lingering time.
 */
export function exitTimingLlr(track: { firstMs: number; lastMs: number }, exitMs: number, m: LeavingModel): number {
  const same = leaveDensity(exitMs - track.lastMs, m);
  const other = Math.exp(-Math.max(0, exitMs - track.firstMs) / m.residualStayMs) / m.residualStayMs;
  const llr = Math.log(same) - Math.log(other);
  // The exponential's tail is thinner than the log-normal's: far out the ratio would turn back in favour, which
  // nothing supports (some people stay for hours). Beyond the typical lingering time an exit counts no more for the
  // person than one at that time.
  const at = track.lastMs + m.lingerMedianMs;
  return exitMs > at ? Math.min(llr, exitTimingLlr(track, at, m)) : llr;
}

/**
 * Log-likelihood ratio (nats) of a candidate NOT seen leaving up to `untilMs`: likelier for someone still browsing
 * or whose exit was missed than for the track's own person, who usually walks out soon after. Never below
 * log(1 − exitSeen): an unseen exit is always possible.
 */
export function noExitLlr(track: { firstMs: number; lastMs: number }, untilMs: number, m: LeavingModel): number {
  const same = 1 - m.exitSeen + m.exitSeen * leaveSurvival(untilMs - track.lastMs, m);
  const other = 1 - m.exitSeen + m.exitSeen * Math.exp(-Math.max(0, untilMs - track.firstMs) / m.residualStayMs);
  return Math.log(same) - Math.log(other);
}

/** Standard-normal score of cosine `x` under `d` (the inverse of the two-piece normal's quantile map). */
export function normalScore(x: number, d: CosineDist): number {
  const sd = x < d.p50 ? (d.p50 - d.p5) / Z95 : (d.p95 - d.p50) / Z95;
  return (x - d.p50) / sd;
}

/**
 * Log density of the Gaussian copula with equal correlation `r` between all of `z` (normal scores): what the
 * sum of the marginal log densities misses when the samples are tied together. One person seen three times (entering,
 * at the till, leaving) who looks unusual in one view tends to in the others; a look-alike of a person looks alike in
 * every view of that person. 0 for one sample or r = 0.
 */
export function logEquicorrelatedCopula(z: readonly number[], r: number): number {
  const n = z.length;
  if (n < 2 || r <= 0) return 0;
  const s = z.reduce((a, x) => a + x, 0);
  const ss = z.reduce((a, x) => a + x * x, 0);
  const k = 1 + (n - 1) * r;
  const logDet = (n - 1) * Math.log(1 - r) + Math.log(k);
  const quad = (ss - (r / k) * s * s) / (1 - r) - ss;
  return -0.5 * logDet - 0.5 * quad;
}
