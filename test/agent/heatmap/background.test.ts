import { expect } from 'chai';
import fc from 'fast-check';
import { createBackgroundEstimator, type RgbImage } from '../../../agent/heatmap/background.js';
import type { Box } from '../../../agent/types.js';

function image(w: number, h: number, fill: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(fill(x, y), (y * w + x) * 3);
  return { width: w, height: h, data };
}
const px = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const inBox = (b: Box, x: number, y: number) => x + 1 > b.x1 && x < b.x2 && y + 1 > b.y1 && y < b.y2;

describe('agent/heatmap background estimator (temporal median, person boxes masked)', () => {
  it('recovers the background behind a person who walks across', () => {
    const bg = (x: number, y: number): [number, number, number] => [x * 10, y * 10, 100];
    const est = createBackgroundEstimator({ samples: 9, margin: 0 });
    for (let i = 0; i < 9; i++) {
      const person = { x1: i * 2, y1: 2, x2: i * 2 + 3, y2: 8 };
      est.add(image(20, 10, (x, y) => (inBox(person, x, y) ? [255, 0, 255] : bg(x, y))), [person]);
    }
    const out = est.estimate()!;
    expect(out.coverage).to.equal(1);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) expect(px(out, x, y)).to.deep.equal(bg(x, y));
  });

  it('never publishes a pixel that was inside a person box in every sample: it gets the fill colour', () => {
    const est = createBackgroundEstimator({ samples: 5, margin: 0, fill: [128, 128, 128] });
    const standing = { x1: 4, y1: 4, x2: 8, y2: 8 };
    for (let i = 0; i < 5; i++) est.add(image(12, 12, (x, y) => (inBox(standing, x, y) ? [250, 10 * i, 250] : [20, 30, 40])), [standing]);
    const out = est.estimate()!;
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 12; x++) expect(px(out, x, y)).to.deep.equal(inBox(standing, x, y) ? [128, 128, 128] : [20, 30, 40]);
    }
    expect(out.coverage).to.be.closeTo(1 - 16 / 144, 1e-9);
  });

  it('masks a reduced pixel when its footprint touches a box, and grows boxes by the margin', () => {
    // 40×4 reduced by 2 (maxWidth 20): the box x 9..10.5 touches reduced columns 4 and 5; margin 1 (of width 1.5) grows it to 7.5..12 → columns 3..5.
    const est = createBackgroundEstimator({ samples: 1, maxWidth: 20, margin: 1, fill: [0, 0, 0] });
    est.add(image(40, 4, () => [200, 200, 200]), [{ x1: 9, y1: 0, x2: 10.5, y2: 4 }]);
    const out = est.estimate()!;
    expect(out.width).to.equal(20);
    const masked = Array.from({ length: 20 }, (_, x) => px(out, x, 0)[0] === 0);
    expect(masked.map((m, x) => (m ? x : -1)).filter((x) => x >= 0)).to.deep.equal([3, 4, 5]);
  });

  it('property: every output value is the fill or a value of that pixel in a sample where it was not covered', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            seed: fc.integer({ min: 0, max: 255 }),
            boxes: fc.array(fc.record({ x: fc.integer({ min: -3, max: 15 }), y: fc.integer({ min: -3, max: 11 }), w: fc.integer({ min: 1, max: 8 }), h: fc.integer({ min: 1, max: 8 }) }), { maxLength: 3 }),
          }),
          { minLength: 1, maxLength: 7 },
        ),
        (samples) => {
          const W = 16;
          const H = 12;
          const est = createBackgroundEstimator({ samples: 7, margin: 0, fill: [7, 7, 7] });
          const frames = samples.map((s) => {
            const boxes = s.boxes.map((b) => ({ x1: b.x, y1: b.y, x2: b.x + b.w, y2: b.y + b.h }));
            const img = image(W, H, (x, y) => [(s.seed * 7 + x * 13 + y) & 0xff, (s.seed + x * y) & 0xff, (s.seed * 3 + y * 29) & 0xff]);
            est.add(img, boxes);
            return { img, boxes };
          });
          const out = est.estimate()!;
          for (let y = 0; y < H; y++) {
            for (let x = 0; x < W; x++) {
              const free = frames.filter((f) => !f.boxes.some((b) => inBox(b, x, y)));
              const v = px(out, x, y);
              // Plain checks in the hot loop (chai per pixel made 200 runs take 9 s).
              const ok = free.length === 0 ? v.every((c) => c === 7) : v.every((c, ch) => free.some((f) => px(f.img, x, y)[ch] === c));
              if (!ok) expect.fail(`pixel (${x},${y}) = ${v} is neither the fill nor an uncovered sample's value`);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps only the newest samples and starts again when the resolution changes', () => {
    const est = createBackgroundEstimator({ samples: 3, margin: 0 });
    for (const v of [10, 20, 30, 40, 50]) est.add(image(4, 4, () => [v, v, v]), []);
    expect(est.sampleCount()).to.equal(3);
    expect(px(est.estimate()!, 0, 0)).to.deep.equal([40, 40, 40]); // median of 30, 40, 50
    est.add(image(8, 4, () => [1, 2, 3]), []);
    expect(est.sampleCount()).to.equal(1);
    expect(() => est.add({ width: 4, height: 4, data: new Uint8Array(5) }, [])).to.throw(RangeError, /expected 4×4×3/);
  });
});
