import { expect } from 'chai';
import { staffSchema } from '../../../common/layout.js';
import { createStaffVote, torsoMatchFraction, torsoRegion } from '../../../agent/behaviour/staff.js';
import { boxOf, frame } from './scene.js';

const cfg = staffSchema.parse({ uniform_colors: [{ rgb: [235, 110, 40], tolerance: 60 }], min_vote: 0.6 });
const opts = { holdMs: 3000, settleSamples: 10 };

describe('agent/behaviour/staff', () => {
  it('samples the torso: orange uniform matches, blue shirt does not', () => {
    const orange = { id: 1, x: 0.3, y: 0.7, rgb: [230, 115, 45] as [number, number, number] };
    const blue = { id: 2, x: 0.7, y: 0.7 };
    const f = frame(0, [orange, blue]).frame;
    expect(torsoMatchFraction(f, boxOf(orange), cfg)).to.be.greaterThan(0.9);
    expect(torsoMatchFraction(f, boxOf(blue), cfg)).to.equal(0);
    expect(torsoMatchFraction(f, boxOf(blue), staffSchema.parse({}))).to.equal(null);
  });

  it('takes the torso below the head and above the belt', () => {
    expect(torsoRegion({ x1: 0, y1: 0, x2: 100, y2: 200 })).to.deep.equal({ x1: 25, x2: 75, y1: 40, y2: 100 });
  });

  it('is staff with ≥ min_vote matching samples, settled early after enough samples', () => {
    const v = createStaffVote(cfg, opts);
    for (let i = 0; i < 10; i++) v.sample(1, i < 6, i * 100);
    expect(v.settled(1, 900)).to.equal(true);
    expect(v.verdict(1)).to.equal(true);
  });

  it('is not staff below min_vote', () => {
    const v = createStaffVote(cfg, opts);
    for (let i = 0; i < 10; i++) v.sample(1, i < 5, i * 100);
    v.settled(1, 900);
    expect(v.verdict(1)).to.equal(false);
  });

  it('waits for samples until the hold expires, then decides with what it has', () => {
    const v = createStaffVote(cfg, opts);
    for (let i = 0; i < 4; i++) v.sample(1, true, i * 100);
    expect(v.settled(1, 2000)).to.equal(false);
    expect(v.settled(1, 3000)).to.equal(true);
    expect(v.verdict(1)).to.equal(true);
  });

  it('makes anyone seen in a staff_only zone staff, even after the vote said no', () => {
    const v = createStaffVote(cfg, opts);
    for (let i = 0; i < 10; i++) v.sample(1, false, i * 100);
    v.settled(1, 1000);
    expect(v.verdict(1)).to.equal(false);
    v.markStaffZone(1);
    expect(v.verdict(1)).to.equal(true);
  });

  it('settles at once when the store has no uniform colours', () => {
    const v = createStaffVote(staffSchema.parse({}), opts);
    expect(v.settled(7, 0)).to.equal(true);
    expect(v.verdict(7)).to.equal(false);
  });
});
