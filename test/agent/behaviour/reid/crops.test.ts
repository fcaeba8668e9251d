import { expect } from 'chai';
import { copyCrop, createCropKeeper, cropEligible, iou, sharpness } from '../../../../agent/behaviour/reid/crops.js';
import { histogramOf } from '../../../../agent/behaviour/reid/histogram.js';
import { dot } from '../../../../agent/behaviour/reid/types.js';
import { boxOf, frame } from '../scene.js';

const flat = (w: number, h: number, v: number) => ({ width: w, height: h, rgb: new Uint8Array(w * h * 3).fill(v) });

describe('agent/behaviour/reid/crops', () => {
  it('accepts whole, upright, unoccluded, confident boxes only', () => {
    const p = { id: 1, x: 0.5, y: 0.7 };
    const f = frame(0, [p]).frame;
    const box = boxOf(p);
    expect(cropEligible(f, box, 0.9, [])).to.equal(true);
    expect(cropEligible(f, box, 0.4, [])).to.equal(false); // low score
    expect(cropEligible(f, boxOf({ id: 1, x: 0.5, y: 0.999 }), 0.9, [])).to.equal(false); // cut by the bottom edge
    expect(cropEligible(f, { ...box, x2: box.x1 + 80 }, 0.9, [])).to.equal(false); // too wide to be one person
    expect(cropEligible(f, box, 0.9, [boxOf({ id: 2, x: 0.55, y: 0.7 })])).to.equal(false); // overlapped
  });

  it('copies the box pixels out of the frame, so they survive the frame buffer being reused', () => {
    const p = { id: 1, x: 0.5, y: 0.7, rgb: [200, 10, 10] as [number, number, number] };
    const f = frame(0, [p]).frame;
    const c = copyCrop(f, boxOf(p))!;
    f.rgb.fill(0);
    expect([c.width, c.height]).to.deep.equal([24, 80]);
    expect(c.rgb[0]).to.be.within(200, 220);
  });

  it('measures sharpness: a flat crop has none, texture has some', () => {
    const f = frame(0, [{ id: 1, x: 0.5, y: 0.7 }]).frame;
    expect(sharpness(flat(20, 40, 90))).to.equal(0);
    expect(sharpness(copyCrop(f, boxOf({ id: 1, x: 0.5, y: 0.7 }))!)).to.be.greaterThan(0);
  });

  it('keeps the best k crops per track, spaced in time', () => {
    const k = createCropKeeper(2, 300);
    const f = frame(0, [{ id: 1, x: 0.5, y: 0.7 }]).frame;
    const sharp = copyCrop(f, boxOf({ id: 1, x: 0.5, y: 0.7 }))!;
    k.offer(1, flat(24, 80, 50), 0);
    expect(k.wants(1, 100)).to.equal(false);
    k.offer(1, sharp, 400);
    k.offer(1, flat(24, 80, 60), 800);
    expect(k.crops(1)).to.have.length(2);
    expect(k.crops(1)[0]).to.equal(sharp);
    expect(k.crops(1, 500)).to.have.length(0);
    k.forget(1);
    expect(k.crops(1)).to.deep.equal([]);
  });

  it('computes IoU', () => {
    expect(iou({ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 1, y1: 0, x2: 3, y2: 2 })).to.be.closeTo(1 / 3, 1e-9);
    expect(iou({ x1: 0, y1: 0, x2: 1, y2: 1 }, { x1: 2, y1: 2, x2: 3, y2: 3 })).to.equal(0);
  });

  it('histograms tell colours apart and match a colour with itself', () => {
    const red = { width: 10, height: 20, rgb: new Uint8Array(600).map((_, i) => [200, 30, 30][i % 3]!) };
    const blue = { width: 10, height: 20, rgb: new Uint8Array(600).map((_, i) => [30, 30, 200][i % 3]!) };
    expect(dot(histogramOf(red), histogramOf(red))).to.be.closeTo(1, 1e-6);
    expect(dot(histogramOf(red), histogramOf(blue))).to.be.lessThan(0.1);
  });
});
