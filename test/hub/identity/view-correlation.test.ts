import { expect } from 'chai';
import { DEFAULT_APPEARANCE } from '../../../hub/identity/evidence.js';
import { estimateLookAlikeCorrelation, type LinkedPair } from '../../../hub/identity/view-correlation.js';
import { cosineAt } from '../../../scripts/simulate/identity.js';
import { createRng } from '../../../scripts/simulate/prng.js';

/** Linked pairs whose strangers' two cosines have normal scores correlated by `rho` (the measured marginals). */
function pairs(rho: number, n: number, strangers: number, seed: number): LinkedPair[] {
  const rng = createRng(seed);
  const normal = () => Math.log(rng.logNormal(1, 1));
  return Array.from({ length: n }, () => {
    const trackVsOthers: number[] = [];
    const enteringVsOthers: number[] = [];
    for (let i = 0; i < strangers; i++) {
      const shared = normal();
      const z1 = Math.sqrt(rho) * shared + Math.sqrt(1 - rho) * normal();
      const z2 = Math.sqrt(rho) * shared + Math.sqrt(1 - rho) * normal();
      trackVsOthers.push(cosineAt(z1, DEFAULT_APPEARANCE.crossCamera.other));
      enteringVsOthers.push(cosineAt(z2, DEFAULT_APPEARANCE.sameCamera.other));
    }
    return { trackVsOthers, enteringVsOthers };
  });
}

describe('hub/identity/view-correlation', () => {
  it('recovers the look-alike correlation from linked pairs, with a standard error that shrinks with more pairs', () => {
    for (const rho of [0, 0.3, 0.5, 0.8]) {
      const e = estimateLookAlikeCorrelation(pairs(rho, 60, 40, 7), DEFAULT_APPEARANCE);
      expect(e.pairs).to.equal(60);
      expect(e.r!, `rho ${rho}`).to.be.closeTo(rho, 0.06);
      expect(e.se!).to.be.greaterThan(0).and.lessThan(0.05);
    }
    const few = estimateLookAlikeCorrelation(pairs(0.5, 10, 40, 8), DEFAULT_APPEARANCE);
    const many = estimateLookAlikeCorrelation(pairs(0.5, 160, 40, 8), DEFAULT_APPEARANCE);
    expect(many.se!).to.be.lessThan(few.se!);
  });

  it('no estimate from fewer than two usable pairs (a pair needs three strangers)', () => {
    expect(estimateLookAlikeCorrelation([], DEFAULT_APPEARANCE)).to.deep.equal({ r: null, se: null, pairs: 0 });
    const tiny = pairs(0.5, 5, 2, 9);
    expect(estimateLookAlikeCorrelation(tiny, DEFAULT_APPEARANCE).r).to.equal(null);
    expect(estimateLookAlikeCorrelation(pairs(0.5, 1, 40, 9), DEFAULT_APPEARANCE).r).to.equal(null);
  });
});
