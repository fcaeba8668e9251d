import { expect } from 'chai';
import { renderFrame } from '../../../agent/annotate/annotator.js';
import type { TrackedFrame } from '../../../agent/types.js';

describe('agent/annotate', () => {
  it('crops the letterbox bars and draws a track box in its palette colour', () => {
    // 768x432 source in a 640x640 input: picture 640x360 at padY 140.
    const rgb = new Uint8Array(640 * 640 * 3).fill(114);
    const tf: TrackedFrame = {
      frame: { index: 0, timestampMs: 0, sourceWidth: 768, sourceHeight: 432, rgb, letterbox: { scale: 640 / 768, padX: 0, padY: 140, inputWidth: 640, inputHeight: 640 } },
      tracks: [{ trackId: 1, box: { x1: 120, y1: 120, x2: 360, y2: 360 }, score: 0.9, state: 'tracked', age: 3 }],
      removed: [],
      inferred: true,
    };
    const img = renderFrame(tf, { camera_id: 'CAM', door_lines: [], zones: [] });
    expect([img.width, img.height]).to.deep.equal([640, 360]);
    const at = (x: number, y: number) => [...img.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3)];
    // Source box x 120..360, y 120..360 → picture 100..300 (scale 5/6); id 1 is the 2nd palette colour.
    expect(at(100, 200)).to.deep.equal([60, 180, 75]);
    expect(at(300, 200)).to.deep.equal([60, 180, 75]);
    expect(at(200, 200)).to.deep.equal([114, 114, 114]);
  });
});
