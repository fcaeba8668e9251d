import { expect } from 'chai';
import { createGallery, signatureOf } from '../../../../agent/behaviour/reid/matcher.js';
import { l2normalise } from '../../../../agent/behaviour/reid/types.js';

/** Unit vector at `deg` degrees in the plane: cosine between two is cos(Δdeg). */
const at = (deg: number) => new Float32Array([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);
const cfg = { threshold: 0.9, margin: 0.1, windowMs: 30 * 60_000 };

describe('agent/behaviour/reid/matcher', () => {
  it('matches the one clear candidate above threshold + margin', () => {
    const g = createGallery(cfg);
    g.add({ visitorId: 'VIS_a', signature: at(0), exitMs: 0 });
    const r = g.match(at(5), 60_000); // cos 5° = 0.996
    expect(r).to.include({ matched: true, visitorId: 'VIS_a' });
    expect(g.size).to.equal(0); // a match consumes the signature
  });

  it('rejects a single candidate above threshold but within the margin of it', () => {
    const g = createGallery(cfg);
    g.add({ visitorId: 'VIS_a', signature: at(0), exitMs: 0 });
    expect(g.match(at(20), 1000)).to.include({ matched: false, reason: 'ambiguous' }); // cos 20° = 0.94
  });

  it('rejects below threshold', () => {
    const g = createGallery(cfg);
    g.add({ visitorId: 'VIS_a', signature: at(0), exitMs: 0 });
    expect(g.match(at(40), 1000)).to.include({ matched: false, reason: 'below-threshold' });
  });

  it('rejects when two candidates are about as similar (alike-dressed people)', () => {
    const g = createGallery(cfg);
    g.add({ visitorId: 'VIS_a', signature: at(0), exitMs: 0 });
    g.add({ visitorId: 'VIS_b', signature: at(8), exitMs: 0 });
    const r = g.match(at(3), 1000);
    expect(r).to.include({ matched: false, reason: 'ambiguous' });
  });

  it('picks the clear best among several', () => {
    const g = createGallery(cfg);
    g.add({ visitorId: 'VIS_a', signature: at(0), exitMs: 0 });
    g.add({ visitorId: 'VIS_b', signature: at(60), exitMs: 0 });
    expect(g.match(at(58), 1000)).to.include({ matched: true, visitorId: 'VIS_b' });
  });

  it('forgets signatures older than the re-entry window, and removed ones', () => {
    const g = createGallery(cfg);
    g.add({ visitorId: 'VIS_a', signature: at(0), exitMs: 0 });
    expect(g.match(at(0), 30 * 60_000 + 1)).to.include({ matched: false, reason: 'no-candidates' });
    g.add({ visitorId: 'VIS_b', signature: at(0), exitMs: 0 });
    g.remove('VIS_b');
    expect(g.size).to.equal(0);
  });

  it('never matches without a signature', () => {
    const g = createGallery(cfg);
    g.add({ visitorId: 'VIS_a', signature: at(0), exitMs: 0 });
    expect(g.match(null, 0)).to.include({ matched: false, reason: 'no-signature' });
  });

  it('averages embeddings into a unit signature', () => {
    const s = signatureOf([at(0), at(90)])!;
    expect(Math.hypot(s[0]!, s[1]!)).to.be.closeTo(1, 1e-6);
    expect(s[0]).to.be.closeTo(Math.SQRT1_2, 1e-6);
    expect(signatureOf([])).to.equal(null);
    expect(Array.from(l2normalise(new Float32Array([0, 0])))).to.deep.equal([0, 0]);
  });
});
