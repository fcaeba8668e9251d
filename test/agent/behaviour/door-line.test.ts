import { expect } from 'chai';
import fc from 'fast-check';
import { doorLineSchema } from '../../../common/layout.js';
import { createDoorLines, sideOf } from '../../../agent/behaviour/door-line.js';

const line = doorLineSchema.parse({ line_id: 'DOOR', a: [0, 0.8], b: [1, 0.8], inside: 'left', hysteresis: 0.03 });

describe('agent/behaviour/door-line', () => {
  it('reads the inside side from the walking direction (left of a→b, y down)', () => {
    expect(sideOf(line, [0.5, 0.5])).to.equal('inside');
    expect(sideOf(line, [0.5, 0.95])).to.equal('outside');
    expect(sideOf(line, [0.5, 0.81])).to.equal(null); // in the band
    const reversed = { ...line, a: [1, 0.8] as [number, number], b: [0, 0.8] as [number, number] };
    expect(sideOf(reversed, [0.5, 0.5])).to.equal('outside');
    const vertical = doorLineSchema.parse({ line_id: 'R', a: [0.8, 1], b: [0.8, 0.2], inside: 'left' });
    expect(sideOf(vertical, [0.5, 0.6])).to.equal('inside');
    expect(sideOf(vertical, [0.95, 0.6])).to.equal('outside');
  });

  it('ignores anchors beyond the ends of the segment', () => {
    const short = doorLineSchema.parse({ line_id: 'S', a: [0.2, 0.8], b: [0.4, 0.8], inside: 'left' });
    expect(sideOf(short, [0.9, 0.5])).to.equal(null);
  });

  it('counts one crossing in and one out for a walk through the door and back', () => {
    const d = createDoorLines([line]);
    const ys = [0.99, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.7, 0.8, 0.9, 0.99];
    const crossings = ys.flatMap((y) => d.observe(1, [0.5, y], true));
    expect(crossings).to.deep.equal([
      { lineId: 'DOOR', to: 'inside' },
      { lineId: 'DOOR', to: 'outside' },
    ]);
  });

  it('never counts a person standing on the line, whatever the jitter inside the band (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.771, max: 0.829, noNaN: true }), { minLength: 1, maxLength: 200 }), (ys) => {
        const d = createDoorLines([line]);
        d.observe(1, [0.5, 0.6], true); // clearly inside first
        return ys.every((y) => d.observe(1, [0.5, y], true).length === 0);
      }),
    );
  });

  it('counts a jittery box straddling the line at most once per real passage (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.025, max: 0.025, noNaN: true }), { minLength: 10, maxLength: 100 }), (noise) => {
        const d = createDoorLines([line]);
        let n = 0;
        // From outside to inside, with ±0.025 jitter on every step: exactly one crossing.
        noise.forEach((e, i) => {
          const y = 0.95 - (0.3 * i) / (noise.length - 1) + e;
          n += d.observe(1, [0.5, Math.min(1, y)], true).length;
        });
        return n === 1;
      }),
    );
  });

  it('does not count crossings made by a coasting prediction, but remembers them', () => {
    const d = createDoorLines([line]);
    d.observe(1, [0.5, 0.6], true);
    expect(d.observe(1, [0.5, 0.9], false)).to.deep.equal([]);
    expect(d.coastedOutside(1)).to.equal(true);
    d.observe(1, [0.5, 0.6], true);
    expect(d.coastedOutside(1)).to.equal(false);
  });

  it('keeps tracks apart and forgets them', () => {
    const d = createDoorLines([line]);
    d.observe(1, [0.5, 0.95], true);
    d.observe(2, [0.5, 0.6], true);
    expect(d.firstSeenOutside(1)).to.equal(true);
    expect(d.firstSeenOutside(2)).to.equal(false);
    expect(d.observe(2, [0.5, 0.95], true)).to.deep.equal([{ lineId: 'DOOR', to: 'outside' }]);
    d.forget(1);
    expect(d.observe(1, [0.5, 0.6], true)).to.deep.equal([]); // fresh state: first sighting, no crossing
    expect(d.heldTracks()).to.equal(2);
  });

  it('moves the sides of a track to its new id, so the new id walking out is a crossing', () => {
    const d = createDoorLines([line]);
    d.observe(1, [0.5, 0.6], true);
    d.rename(1, 7);
    expect(d.heldTracks()).to.equal(1);
    expect(d.observe(7, [0.5, 0.95], true)).to.deep.equal([{ lineId: 'DOOR', to: 'outside' }]);
  });
});

describe('agent/behaviour/door-line without hysteresis (the failure the band prevents)', () => {
  it('counts a standing person jittering on the line many times', () => {
    const bare = { ...line, hysteresis: 0 };
    const d = createDoorLines([bare]);
    const n = [0.79, 0.81, 0.79, 0.81, 0.79, 0.81].flatMap((y) => d.observe(1, [0.5, y], true)).length;
    expect(n).to.equal(5);
  });
});
