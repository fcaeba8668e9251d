import { expect } from 'chai';
import { createAnchorSmoother, median } from '../../../agent/behaviour/anchor-smoother.js';

describe('agent/behaviour/anchor-smoother', () => {
  it('takes the median, ignoring a single-frame outlier a mean would follow', () => {
    expect(median([0.9, 0.91, 0.5, 0.92, 0.9])).to.equal(0.9);
    expect(median([1, 2, 3, 4])).to.equal(2.5);
    const s = createAnchorSmoother(600);
    const ys = [0.9, 0.92, 0.91, 0.6, 0.9, 0.93];
    const out = ys.map((y, i) => s.smooth(1, [0.5, y], i * 100)[1]);
    expect(Math.min(...out.slice(2))).to.be.at.least(0.9);
  });

  it('keeps a standing person jittering by ±0.03 within ±0.015 of where they stand', () => {
    const s = createAnchorSmoother(600);
    // A fixed pseudo-random jitter (the box bottom of a person standing at y = 0.92).
    const jitter = Array.from({ length: 160 }, (_, i) => 0.03 * Math.sin(i * 2.399) * Math.cos(i * 0.7));
    const out = jitter.map((e, i) => s.smooth(1, [0.5, 0.92 + e], i * 100)[1]).slice(6);
    expect(Math.max(...out.map((y) => Math.abs(y - 0.92)))).to.be.below(0.015);
  });

  it('follows a walker with a lag of half the window', () => {
    const s = createAnchorSmoother(600);
    let last: [number, number] = [0, 0];
    for (let i = 0; i <= 20; i++) last = s.smooth(1, [0.1 + 0.01 * i, 0.5], i * 100);
    expect(last[0]).to.be.closeTo(0.1 + 0.01 * 17.5, 1e-9); // samples 15..20: the median is 17.5, 250 ms back
  });

  it('keeps tracks apart, moves history on rename and forgets it', () => {
    const s = createAnchorSmoother(600);
    s.smooth(1, [0.2, 0.2], 0);
    s.smooth(2, [0.8, 0.8], 0);
    s.rename(1, 5);
    const [x, y] = s.smooth(5, [0.4, 0.4], 100);
    expect([x, y].map((v) => v.toFixed(6))).to.deep.equal(['0.300000', '0.300000']); // median of 0.2 and 0.4
    s.forget(5);
    s.forget(2);
    expect(s.heldTracks()).to.equal(0);
  });
});
