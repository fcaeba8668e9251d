/**
 * Optimal rectangular assignment with a cost limit, the contract of `lap.lapjv(cost, extend_cost=True,
 * cost_limit=thresh)` that ByteTrack's `linear_assignment` uses: a pair is matched only if that is cheaper than
 * leaving both unmatched. The matrix is extended to (n+m)² with dummy rows/columns costing limit/2, exactly as
 * lap does, and solved with the O(n³) Hungarian algorithm (Kuhn–Munkres with potentials). Trackers see a few
 * dozen boxes per frame, where the O(n³) solver takes microseconds, so LAPJV's constant factor buys nothing.
 */
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

/** Square min-cost assignment; returns the column of each row (e-maxx formulation, 1-based internally). */
export function hungarian(size: number, cost: (i: number, j: number) => number): number[] {
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(size + 1);
  const v = new Float64Array(size + 1);
  const p = new Int32Array(size + 1); // p[j] = row matched to column j
  const way = new Int32Array(size + 1);
  for (let i = 1; i <= size; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(size + 1).fill(INF);
    const used = new Uint8Array(size + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= size; j++) {
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
      for (let j = 0; j <= size; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowOf = new Array<number>(size).fill(-1);
  for (let j = 1; j <= size; j++) if (p[j]! > 0) rowOf[p[j]! - 1] = j - 1;
  return rowOf;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
