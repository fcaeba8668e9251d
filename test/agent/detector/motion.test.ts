import { expect } from 'chai';
import { MotionGate, changedShare, thumbnail } from '../../../agent/detector/motion.js';

function solid(w: number, h: number, v: number): Uint8Array {
  return new Uint8Array(w * h * 3).fill(v);
}

describe('agent/detector/motion', () => {
  it('thumbnails sample grey levels every step pixels', () => {
    const img = solid(16, 16, 100);
    const t = thumbnail(img, 16, 16, 8);
    expect(t.length).to.equal(4);
    expect([...t]).to.deep.equal([100, 100, 100, 100]); // weights sum to 256: grey stays grey
  });

  it('measures the changed share', () => {
    expect(changedShare(Uint8Array.from([0, 0, 0, 0]), Uint8Array.from([0, 100, 0, 10]), 25)).to.equal(0.25);
  });

  it('wakes on the first frame, sleeps on a still scene, wakes on a moving patch', () => {
    const gate = new MotionGate({ step: 4, pixelThreshold: 25, areaThreshold: 0.01 });
    const still = solid(64, 64, 80);
    const first = gate.moved(still, 64, 64);
    expect(first.moved).to.equal(true);
    gate.setReference(first.thumb);
    // Compression noise of a few grey levels is not motion.
    expect(gate.moved(solid(64, 64, 84), 64, 64).moved).to.equal(false);
    const person = still.slice();
    for (let y = 20; y < 44; y++) for (let x = 30; x < 38; x++) person.fill(200, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    expect(gate.moved(person, 64, 64).moved).to.equal(true);
  });

  it('compares with the last inferred frame, so slow drift adds up', () => {
    const gate = new MotionGate({ step: 1, pixelThreshold: 25, areaThreshold: 0.5 });
    gate.setReference(gate.moved(solid(4, 4, 0), 4, 4).thumb);
    expect(gate.moved(solid(4, 4, 20), 4, 4).moved).to.equal(false);
    expect(gate.moved(solid(4, 4, 40), 4, 4).moved).to.equal(true);
  });
});
