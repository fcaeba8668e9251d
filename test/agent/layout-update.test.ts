import { expect } from 'chai';
import { parseLayoutMessage } from '../../agent/layout-update.js';
import { testStore } from './behaviour/scene.js';

describe('agent/layout-update: a config message → this agent\'s store layout', () => {
  const ok = Buffer.from(JSON.stringify(testStore()));
  it('accepts this store\'s layout with this camera and keeps the current one on an empty (cleared) payload', () => {
    expect(parseLayoutMessage(ok, 'STORE_TEST_01', 'CAM_DOOR')!.cameras.map((c) => c.camera_id)).to.deep.equal(['CAM_DOOR', 'CAM_FLOOR']);
    expect(parseLayoutMessage(Buffer.alloc(0), 'STORE_TEST_01', 'CAM_DOOR')).to.equal(null);
  });
  it('refuses, naming why: not JSON, an invalid field, another store, a missing camera', () => {
    expect(() => parseLayoutMessage(Buffer.from('{nope'), 'STORE_TEST_01', 'CAM_DOOR')).to.throw(/not JSON/);
    const bad = { ...testStore(), cameras: [{ camera_id: 'CAM_DOOR', door_lines: [{ line_id: 'D', a: [0, 2], b: [1, 0.5], inside: 'left' }] }] };
    expect(() => parseLayoutMessage(Buffer.from(JSON.stringify(bad)), 'STORE_TEST_01', 'CAM_DOOR')).to.throw(/cameras\.0\.door_lines\.0\.a\.1/);
    expect(() => parseLayoutMessage(ok, 'OTHER', 'CAM_DOOR')).to.throw(/STORE_TEST_01, this agent is of store OTHER/);
    expect(() => parseLayoutMessage(ok, 'STORE_TEST_01', 'CAM_X')).to.throw(/no camera CAM_X/);
  });
});
