/**
 * The constant-velocity Kalman filter of SORT/DeepSORT/ByteTrack, on the state (cx, cy, a, h, vcx, vcy, va, vh)
 * where a = width / height. Noise is proportional to the box height, with the weights of ByteTrack's
 * `kalman_filter.py` (position 1/20, velocity 1/160), so the filter behaves the same at any image scale.
 * Pure: plain arrays in, new plain arrays out.
 */
export type Vec = number[];
export type Mat = number[][];

const STD_POS = 1 / 20;
const STD_VEL = 1 / 160;
const NDIM = 4;

export interface KalmanState {
  mean: Vec;
  covariance: Mat;
}

/** A new track's state from its first measurement (cx, cy, a, h): zero velocity, wide velocity uncertainty. */
export function initiate(m: Vec): KalmanState {
  const h = m[3]!;
  const std = [2 * STD_POS * h, 2 * STD_POS * h, 1e-2, 2 * STD_POS * h, 10 * STD_VEL * h, 10 * STD_VEL * h, 1e-5, 10 * STD_VEL * h];
  return { mean: [...m, 0, 0, 0, 0], covariance: diag(std.map((s) => s * s)) };
}

/**
 * `dt` time steps ahead (default 1): x' = F x, P' = F P Fᵀ + dt·Q with F = [[I, dt·I], [0, I]]. A fractional or
 * multiple step is a gap between updates of other than one interval (live frames dropped while the agent was
 * behind); the process noise of a random-walk velocity grows linearly with the elapsed time.
 */
export function predict(s: KalmanState, dt = 1): KalmanState {
  const h = s.mean[3]!;
  const std = [STD_POS * h, STD_POS * h, 1e-2, STD_POS * h, STD_VEL * h, STD_VEL * h, 1e-5, STD_VEL * h];
  const mean = s.mean.map((v, i) => (i < NDIM ? v + dt * s.mean[i + NDIM]! : v));
  // F P Fᵀ, written out to avoid two 8x8 products per track per frame.
  const P = s.covariance;
  const FP: Mat = P.map((row, i) => (i < NDIM ? row.map((v, j) => v + dt * P[i + NDIM]![j]!) : [...row]));
  const cov: Mat = FP.map((row) => row.map((_, j) => (j < NDIM ? row[j]! + dt * row[j + NDIM]! : row[j]!)));
  for (let i = 0; i < 8; i++) cov[i]![i]! += dt * std[i]! * std[i]!;
  return { mean, covariance: cov };
}

/** Measurement update with z = (cx, cy, a, h); H selects the first four state components. */
export function update(s: KalmanState, z: Vec): KalmanState {
  const h = s.mean[3]!;
  const r = [STD_POS * h, STD_POS * h, 1e-1, STD_POS * h];
  const P = s.covariance;
  // S = H P Hᵀ + R (4x4); PHt = P Hᵀ (8x4).
  const S: Mat = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => P[i]![j]! + (i === j ? r[i]! * r[i]! : 0)));
  const PHt: Mat = P.map((row) => row.slice(0, NDIM));
  const K = matMul(PHt, invert(S)); // 8x4
  const innov = z.map((v, i) => v - s.mean[i]!);
  const mean = s.mean.map((v, i) => v + K[i]!.reduce((acc, k, j) => acc + k * innov[j]!, 0));
  // P' = P - K S Kᵀ
  const KS = matMul(K, S);
  const cov = P.map((row, i) => row.map((v, j) => v - KS[i]!.reduce((acc, ks, k) => acc + ks * K[j]![k]!, 0)));
  return { mean, covariance: cov };
}

export function diag(v: Vec): Mat {
  return v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
}

export function matMul(a: Mat, b: Mat): Mat {
  const n = b[0]!.length;
  return a.map((row) => {
    const out = new Array<number>(n).fill(0);
    row.forEach((v, k) => {
      const bk = b[k]!;
      for (let j = 0; j < n; j++) out[j]! += v * bk[j]!;
    });
    return out;
  });
}

/** Gauss-Jordan inverse with partial pivoting; the innovation covariance is 4x4 and positive definite. */
export function invert(m: Mat): Mat {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const pivot = a[c]![c]!;
    if (Math.abs(pivot) < 1e-12) throw new RangeError('singular matrix');
    const rowC = a[c]!.map((v) => v / pivot);
    a[c] = rowC;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f !== 0) a[r] = a[r]!.map((v, j) => v - f * rowC[j]!);
    }
  }
  return a.map((row) => row.slice(n));
}
