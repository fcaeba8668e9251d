/**
 * Optimal rectangular assignment with a cost limit, the contract of `lap.lapjv(cost, extend_cost=True,
 * cost_limit=thresh)` that ByteTrack's `linear_assignment` uses: a pair is matched only if that is cheaper than
 * leaving both unmatched. The matrix is extended to (n+m)² with dummy rows/columns costing limit/2, exactly as
 * lap does, and solved with the O(n³) Hungarian algorithm (Kuhn–Munkres with potentials). Trackers see a few
 * dozen boxes per frame, where the O(n³) solver takes microseconds, so LAPJV's constant factor buys nothing.
 */
import { hungarianRect } from '../../common/hungarian.js';

export interface Assignment {
  /** Matched [row, col] pairs, sorted by row. */
  matches: Array<[number, number]>;
  unmatchedRows: number[];
  unmatchedCols: number[];
}

export function assign(cost: number[][], nCols: number, limit: number): Assignment {
  const n = cost.length;
  const m = nCols;
  if (n === 0 || m === 0) return { matches: [], unmatchedRows: range(n), unmatchedCols: range(m) };
  const size = n + m;
  const half = limit / 2;
  const ext = (i: number, j: number): number => {
    if (i < n && j < m) {
      const c = cost[i]![j]!;
      return Number.isFinite(c) ? c : limit * 4 + 1e6;
    }
    if (i >= n && j >= m) return 0;
    return half;
  };
  const rowOf = hungarian(size, ext);
  const matches: Array<[number, number]> = [];
  const usedCols = new Set<number>();
  for (let i = 0; i < n; i++) {
    const j = rowOf[i]!;
    if (j < m && cost[i]![j]! <= limit) {
      matches.push([i, j]);
      usedCols.add(j);
    }
  }
  const matchedRows = new Set(matches.map(([r]) => r));
  return {
    matches,
    unmatchedRows: range(n).filter((i) => !matchedRows.has(i)),
    unmatchedCols: range(m).filter((j) => !usedCols.has(j)),
  };
}

/** Square min-cost assignment; returns the column of each row. */
export function hungarian(size: number, cost: (i: number, j: number) => number): number[] {
  return hungarianRect(size, size, cost);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
