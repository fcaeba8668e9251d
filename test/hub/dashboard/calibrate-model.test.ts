import { expect } from 'chai';
import { bandOf, errorsByShape, hit, snap, addZone, removeZone, deleteVertex, type EditLayout } from '../../../hub/dashboard/src/calibrate/model.js';
import { sideOf } from '../../../agent/behaviour/door-line.js';

const view = { w: 640, h: 360 };
function layout(): EditLayout {
  return {
    store_id: 'S',
    name: 'S',
    zones: [{ zone_id: 'Z_A', name: 'A', type: 'display' }],
    cameras: [
      {
        camera_id: 'C',
        door_lines: [{ line_id: 'D', a: [0.1, 0.7], b: [0.9, 0.7], inside: 'left', hysteresis: 0.03 }],
        zones: [{ zone_id: 'Z_A', polygon: [[0.2, 0.2], [0.5, 0.2], [0.5, 0.5], [0.2, 0.5]] }],
      },
    ],
  };
}

describe('dashboard calibrate model (pure editor core)', () => {
  it('draws the band and inside arrow exactly where the agent decides sides', () => {
    for (const inside of ['left', 'right'] as const) {
      const line = { ...layout().cameras[0]!.door_lines[0]!, inside };
      const { band, arrow } = bandOf(line);
      // The arrow tip lies on the side the agent calls inside; the band's edges sit on the hysteresis boundary.
      expect(sideOf({ ...line }, arrow[1])).to.equal('inside');
      expect(Math.abs(band[0][1] - 0.7)).to.be.closeTo(0.03, 1e-9);
    }
  });

  it('snaps to a nearby vertex or the image edge, within the pixel tolerance only', () => {
    const l = layout();
    const targets = [l.cameras[0]!.zones[0]!.polygon[0]!];
    expect(snap([0.205, 0.205], targets, view)).to.deep.equal([0.2, 0.2]);
    expect(snap([0.3, 0.3], targets, view)).to.deep.equal([0.3, 0.3]);
    expect(snap([0.005, 0.99], [], view)).to.deep.equal([0, 1]);
    expect(snap([-0.2, 1.3], [], view)).to.deep.equal([0, 1]);
  });

  it('hits handles before shapes', () => {
    const cam = layout().cameras[0]!;
    expect(hit(cam, [0.1, 0.7], view)).to.deep.equal({ kind: 'line', index: 0, end: 'a' });
    expect(hit(cam, [0.5, 0.705], view)).to.deep.equal({ kind: 'line', index: 0 });
    expect(hit(cam, [0.5, 0.5], view)).to.deep.equal({ kind: 'zone', index: 0, vertex: 2 });
    expect(hit(cam, [0.3, 0.3], view)).to.deep.equal({ kind: 'zone', index: 0 });
    expect(hit(cam, [0.95, 0.1], view)).to.equal(null);
  });

  it('adds and removes zones in the store and the camera, and keeps three corners', () => {
    const l = layout();
    const zi = addZone(l, 0, [[0.6, 0.1], [0.8, 0.1], [0.8, 0.3]]);
    expect(l.zones.map((z) => z.zone_id)).to.deep.equal(['Z_A', 'ZONE_1']);
    expect(deleteVertex(l.cameras[0]!.zones[zi]!, 0)).to.equal(false);
    removeZone(l, 0, zi);
    expect(l.zones.map((z) => z.zone_id)).to.deep.equal(['Z_A']);
  });

  it('files the hub\'s validation reasons under the shapes they name', () => {
    const l = layout();
    const msg = 'layout: cameras.0.door_lines.0.a.1: Too big; zones.0.name: Too small; cameras.1.zones.0.zone_id: unknown; timezone: bad';
    const m = errorsByShape(msg, l, 0);
    expect(m.get('line:0')).to.deep.equal(['a.1: Too big']);
    expect(m.get('zone:0')).to.deep.equal(['name: Too small']);
    expect(m.get('layout')).to.deep.equal(['cameras.1.zones.0.zone_id: unknown', 'timezone: bad']);
  });
});
