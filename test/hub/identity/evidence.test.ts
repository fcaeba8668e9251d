import { expect } from 'chai';
import fc from 'fast-check';
import { appearanceLlr, DEFAULT_APPEARANCE, DEFAULT_LEAVING, exitTimingLlr, logEquicorrelatedCopula, noExitLlr, normalScore } from '../../../hub/identity/evidence.js';

const MIN = 60_000;
const track = { firstMs: 0, lastMs: 3 * MIN };

describe('hub/identity/evidence', () => {
  it('appearance: the measured same-person median is evidence for, the different-people median against', () => {
    const m = DEFAULT_APPEARANCE.crossCamera;
    expect(appearanceLlr(0.73, m)).to.be.greaterThan(3);
    expect(appearanceLlr(0.52, m)).to.be.lessThan(-5);
  });

  it('leaving: going out a minute or two after the till is evidence for the person, an hour later against', () => {
    expect(exitTimingLlr(track, track.lastMs + 1.5 * MIN, DEFAULT_LEAVING)).to.be.greaterThan(1.5);
    // However long after (some people stay for hours, which the other-person model's thin tail would not expect).
    for (const minutes of [30, 60, 120, 240]) expect(exitTimingLlr(track, track.lastMs + minutes * MIN, DEFAULT_LEAVING), `${minutes} min`).to.be.lessThan(-0.5);
    // A share keep browsing: 15 min later is weak evidence either way, not a verdict.
    expect(Math.abs(exitTimingLlr(track, track.lastMs + 15 * MIN, DEFAULT_LEAVING))).to.be.lessThan(1.5);
  });

  it('not seen leaving: no evidence right after the till, growing evidence against, bounded by a missed exit', () => {
    expect(noExitLlr(track, track.lastMs, DEFAULT_LEAVING)).to.be.closeTo(0, 0.35);
    const soon = noExitLlr(track, track.lastMs + 5 * MIN, DEFAULT_LEAVING);
    expect(soon).to.be.lessThan(-0.2);
    const floor = Math.log(1 - DEFAULT_LEAVING.exitSeen);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 * 60 }), (minutes) => {
        expect(noExitLlr(track, track.lastMs + minutes * MIN, DEFAULT_LEAVING)).to.be.at.least(floor - 1e-9);
      }),
    );
  });

  it('leaving timing ratios are likelihood ratios: under "another person" they average to one', () => {
    // E[p_same/p_other] over the other-person exit density (exponential from the track start, after its end)
    // equals P_same(exit in range) / P_other(exit in range) ≈ 1 / P_other(after the end).
    const { residualStayMs } = DEFAULT_LEAVING;
    let sum = 0;
    const step = 5_000;
    for (let t = track.lastMs; t < track.lastMs + 8 * 60 * MIN; t += step) sum += Math.exp(exitTimingLlr(track, t, DEFAULT_LEAVING)) * (Math.exp(-t / residualStayMs) / residualStayMs) * step;
    expect(sum).to.be.closeTo(1, 0.02);
  });

  it('normal scores: the median is 0, p5 and p95 are ∓1.645 (each side of the two-piece normal)', () => {
    const d = DEFAULT_APPEARANCE.sameCamera.same;
    expect(normalScore(d.p50, d)).to.equal(0);
    expect(normalScore(d.p95, d)).to.be.closeTo(1.6449, 1e-3);
    expect(normalScore(d.p5, d)).to.be.closeTo(-1.6449, 1e-3);
  });

  it('copula: the bivariate normal over the product of its marginals; nothing for one sample or no correlation', () => {
    const bivariate = (x: number, y: number, r: number) => -0.5 * Math.log(1 - r * r) - (r * r * (x * x + y * y) - 2 * r * x * y) / (2 * (1 - r * r));
    fc.assert(
      fc.property(fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: 0.05, max: 0.9, noNaN: true }), (x, y, r) => {
        expect(logEquicorrelatedCopula([x, y], r)).to.be.closeTo(bivariate(x, y, r), 1e-9);
      }),
    );
    expect(logEquicorrelatedCopula([2, 1, 3], 0)).to.equal(0);
    expect(logEquicorrelatedCopula([2], 0.5)).to.equal(0);
    // Correlated: jointly high scores are likelier than apart, opposite ones less likely.
    expect(logEquicorrelatedCopula([2, 2, 2], 0.5)).to.be.greaterThan(1);
    expect(logEquicorrelatedCopula([2, -2, 0], 0.5)).to.be.lessThan(-1);
  });

  it('copula: a density (integrates to one over a grid, three samples)', () => {
    const step = 0.25;
    let sum = 0;
    const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    for (let x = -6; x <= 6; x += step) for (let y = -6; y <= 6; y += step) for (let z = -6; z <= 6; z += step) sum += Math.exp(logEquicorrelatedCopula([x, y, z], 0.5)) * phi(x) * phi(y) * phi(z) * step ** 3;
    expect(sum).to.be.closeTo(1, 0.01);
  });
});
