import { expect } from 'chai';
import { createAnchorEstimator } from '../../../agent/behaviour/anchors.js';
import { pickRelink } from '../../../agent/behaviour/relink.js';

const W = 400;
const H = 300;

describe('agent/behaviour/anchors', () => {
  it('is the bottom centre of the box normally', () => {
    const a = createAnchorEstimator();
    expect(a.anchor(1, { x1: 100, y1: 50, x2: 140, y2: 200 }, W, H, true)).to.deep.equal([0.3, 200 / 300]);
  });

  it('estimates the feet from the box top when an occluder cuts the box short', () => {
    const a = createAnchorEstimator();
    for (let i = 0; i < 5; i++) a.anchor(1, { x1: 100, y1: 50, x2: 140, y2: 200 }, W, H, true);
    // Someone walks in front: only the top 60 px are detected; the person has not moved.
    const [, y] = a.anchor(1, { x1: 100, y1: 50, x2: 140, y2: 110 }, W, H, true);
    expect(y).to.be.closeTo(200 / 300, 1e-9);
  });

  it('takes a box cut by the frame bottom as it is (walking into view)', () => {
    const a = createAnchorEstimator();
    a.anchor(1, { x1: 100, y1: 50, x2: 140, y2: 250 }, W, H, true);
    expect(a.anchor(1, { x1: 100, y1: 200, x2: 140, y2: 300 }, W, H, true)[1]).to.equal(1);
  });

  it('follows gradual shrinking (walking away) without correcting it', () => {
    const a = createAnchorEstimator();
    let y2 = 280;
    for (let h = 200; h > 100; h -= 5, y2 -= 4) expect(a.anchor(1, { x1: 0, y1: y2 - h, x2: 40, y2 }, W, H, true)[1]).to.equal(y2 / H);
  });

  it('moves height memory on rename and forgets it', () => {
    const a = createAnchorEstimator();
    a.anchor(1, { x1: 0, y1: 0, x2: 40, y2: 200 }, W, H, true);
    a.rename(1, 2);
    expect(a.anchor(2, { x1: 0, y1: 0, x2: 40, y2: 60 }, W, H, true)[1]).to.be.closeTo(200 / 300, 1e-9);
    a.forget(2);
    expect(a.anchor(2, { x1: 0, y1: 0, x2: 40, y2: 60 }, W, H, true)[1]).to.equal(60 / 300);
  });
});

describe('agent/behaviour/relink', () => {
  const cfg = { windowMs: 6000, maxDistance: 0.12 };
  it('picks the one recent track that was last seen close by', () => {
    const c = [
      { trackId: 1, anchor: [0.5, 0.5] as const, lastTrackedMs: 1000 },
      { trackId: 2, anchor: [0.9, 0.9] as const, lastTrackedMs: 1000 },
    ];
    expect(pickRelink(c, [0.52, 0.55], 3000, cfg)).to.equal(1);
  });
  it('refuses when two are in reach, when too far, or too old', () => {
    const c = [
      { trackId: 1, anchor: [0.5, 0.5] as const, lastTrackedMs: 1000 },
      { trackId: 2, anchor: [0.55, 0.5] as const, lastTrackedMs: 1000 },
    ];
    expect(pickRelink(c, [0.52, 0.5], 3000, cfg)).to.equal(null);
    expect(pickRelink(c.slice(0, 1), [0.8, 0.5], 3000, cfg)).to.equal(null);
    expect(pickRelink(c.slice(0, 1), [0.5, 0.5], 7001, cfg)).to.equal(null);
  });
});
