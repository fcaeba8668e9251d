/**
 * Maximum-weight bipartite matching where every pair is optional: rows are tracks, columns are visitors, and a
 * pair is only worth taking when its weight is positive (abstaining is worth 0). Solved exactly with the
 * Hungarian algorithm (Kuhn–Munkres with potentials) on the matrix extended by one "abstain" column per row.
 * The hub image carries no agent code, so this does not reuse agent/tracker/assignment.ts.
 */

/** Weight of each pair; `null` = impossible pair (never matched). */
export type WeightMatrix = (number | null)[][];

export interface Matching {
  /** Column matched to each row, or -1 when the row abstains. */
  colOf: number[];
  /** Sum of the matched weights. */
  total: number;
}

export function maxWeightMatching(w: WeightMatrix, nCols: number): Matching {
  const n = w.length;
  if (n === 0) return { colOf: [], total: 0 };
  // Columns: the nCols real ones, then n abstain columns (row i may only use its own, worth 0).
  const m = nCols + n;
  const BIG = 1e9;
  const cost = (i: number, j: number): number => {
    if (j >= nCols) return j - nCols === i ? 0 : BIG;
    const x = w[i]![j];
    return x === null || x === undefined || x <= 0 ? BIG : -x;
  };
  const colOf = hungarianRect(n, m, cost);
  let total = 0;
  const out = colOf.map((j, i) => {
    if (j < nCols && cost(i, j) < 0) {
      total += -cost(i, j);
      return j;
    }
    return -1;
  });
  return { colOf: out, total };
}

/** Min-cost assignment of n rows to m ≥ n columns (every row assigned); returns the column of each row. */
function hungarianRect(n: number, m: number, cost: (i: number, j: number) => number): number[] {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row (1-based) holding column j
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOf = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) colOf[p[j]! - 1] = j - 1;
  return colOf;
}
