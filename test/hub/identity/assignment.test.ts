import { expect } from 'chai';
import fc from 'fast-check';
import { maxWeightMatching, type WeightMatrix } from '../../../hub/identity/assignment.js';

/** Exhaustive optimum: every partial matching, only positive weights worth taking. */
function bruteForce(w: WeightMatrix, m: number): number {
  const used = new Array<boolean>(m).fill(false);
  let best = 0;
  const go = (i: number, acc: number): void => {
    if (i === w.length) return void (best = Math.max(best, acc));
    go(i + 1, acc);
    for (let j = 0; j < m; j++) {
      const x = w[i]![j];
      if (used[j] || x === null || x === undefined || x <= 0) continue;
      used[j] = true;
      go(i + 1, acc + x);
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

describe('hub/identity/assignment', () => {
  it('prefers the global optimum to the greedy choice', () => {
    // Greedy gives row 0 column 0 (5) and leaves row 1 with nothing; the optimum is 4 + 4.
    const m = maxWeightMatching([[5, 4], [4, null]], 2);
    expect(m.colOf).to.deep.equal([1, 0]);
    expect(m.total).to.equal(8);
  });

  it('abstains on rows whose every pair is worth nothing', () => {
    const m = maxWeightMatching([[-1, 0], [null, 2]], 2);
    expect(m.colOf).to.deep.equal([-1, 1]);
  });

  it('property: equals the exhaustive optimum, and uses each column at most once', () => {
    const cell = fc.option(fc.double({ min: -3, max: 5, noNaN: true }), { nil: null, freq: 4 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (n, m, raw) => {
        const w = raw.slice(0, n).map((r) => r.slice(0, m));
        const r = maxWeightMatching(w, m);
        expect(r.total).to.be.closeTo(bruteForce(w, m), 1e-9);
        const cols = r.colOf.filter((j) => j >= 0);
        expect(new Set(cols).size).to.equal(cols.length);
        r.colOf.forEach((j, i) => j >= 0 && expect(w[i]![j]).to.be.greaterThan(0));
      }),
      { numRuns: 300 },
    );
  });
});
