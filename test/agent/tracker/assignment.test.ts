import { expect } from 'chai';
import fc from 'fast-check';
import { assign, hungarian } from '../../../agent/tracker/assignment.js';

/** Exhaustive optimum of the limit-extended problem: every partial matching, unmatched pairs cost limit. */
function bruteForce(cost: number[][], m: number, limit: number): number {
  const n = cost.length;
  let best = Infinity;
  const usedCols = new Array<boolean>(m).fill(false);
  const go = (i: number, acc: number): void => {
    if (i === n) {
      const freeCols = usedCols.filter((u) => !u).length;
      best = Math.min(best, acc + (freeCols * limit) / 2);
      return;
    }
    go(i + 1, acc + limit / 2);
    for (let j = 0; j < m; j++) {
      if (usedCols[j] || cost[i]![j]! > limit) continue;
      usedCols[j] = true;
      go(i + 1, acc + cost[i]![j]!);
      usedCols[j] = false;
    }
  };
  go(0, 0);
  return best;
}

describe('agent/tracker/assignment', () => {
  it('solves a square problem optimally', () => {
    const c = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    const rows = hungarian(3, (i, j) => c[i]![j]!);
    expect(rows).to.deep.equal([1, 0, 2]);
  });

  it('leaves pairs above the limit unmatched', () => {
    const r = assign([[0.9, 0.1], [0.95, 0.99]], 2, 0.8);
    expect(r.matches).to.deep.equal([[0, 1]]);
    expect(r.unmatchedRows).to.deep.equal([1]);
    expect(r.unmatchedCols).to.deep.equal([0]);
  });

  it('handles empty sides', () => {
    expect(assign([], 3, 0.8)).to.deep.equal({ matches: [], unmatchedRows: [], unmatchedCols: [0, 1, 2] });
    expect(assign([[], []], 0, 0.8)).to.deep.equal({ matches: [], unmatchedRows: [0, 1], unmatchedCols: [] });
  });

  it('matches the exhaustive optimum on random rectangular matrices', () => {
    const matrix = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([n, m]) => fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }));
    fc.assert(
      fc.property(matrix, fc.double({ min: 0.05, max: 1, noNaN: true }), (cost, limit) => {
        const m = cost[0]!.length;
        const r = assign(cost, m, limit);
        const free = r.unmatchedRows.length + r.unmatchedCols.length;
        const total = r.matches.reduce((s, [i, j]) => s + cost[i]![j]!, 0) + (free * limit) / 2;
        expect(total).to.be.closeTo(bruteForce(cost, m, limit), 1e-9);
        expect(new Set(r.matches.map(([, j]) => j)).size).to.equal(r.matches.length);
        for (const [i, j] of r.matches) expect(cost[i]![j]!).to.be.at.most(limit);
      }),
      { numRuns: 300 },
    );
  });
});
