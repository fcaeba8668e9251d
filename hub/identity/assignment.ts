/**
 * Maximum-weight bipartite matching where every pair is optional: rows are tracks, columns are visitors, and a
 * pair is only worth taking when its weight is positive (abstaining is worth 0). Solved exactly with the
 * Hungarian algorithm (common/hungarian.ts) on the matrix extended by one "abstain" column per row.
 */
import { hungarianRect } from '../../common/hungarian.js';

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
