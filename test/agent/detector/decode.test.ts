import { expect } from 'chai';
import { decodeYolo, headLayout, nms, unletterbox } from '../../../agent/detector/decode.js';
import { decodeYolox } from '../../../agent/detector/decode-yolox.js';
import { toChw, toChwFloat } from '../../../agent/detector/preprocess.js';
import { isAppError } from '../../../common/errors.js';
import type { Letterbox } from '../../../agent/types.js';

// 768x432 source letterboxed into 640x640: scale 5/6, 140 px bars top and bottom.
const LB: Letterbox = { scale: 640 / 768, padX: 0, padY: 140, inputWidth: 640, inputHeight: 640 };

/** Builds a YOLOv8 head tensor with `classes` classes from [cx, cy, w, h, classId, score] rows. */
function head(anchors: number, classes: number, boxes: number[][], transposed = false): { data: Float32Array; dims: number[] } {
  const C = 4 + classes;
  const data = new Float32Array(C * anchors);
  const set = (ch: number, i: number, v: number) => (transposed ? (data[i * C + ch] = v) : (data[ch * anchors + i] = v));
  boxes.forEach(([cx, cy, w, h, cls, score], i) => {
    [cx, cy, w, h].forEach((v, ch) => set(ch, i, v!));
    set(4 + cls!, i, score!);
  });
  return { data, dims: transposed ? [1, anchors, C] : [1, C, anchors] };
}

describe('agent/detector/decode', () => {
  const rows = [
    [320, 320, 100, 200, 0, 0.9], // person
    [325, 322, 100, 200, 0, 0.6], // duplicate of it (IoU ≈ 0.9)
    [100, 300, 50, 120, 0, 0.3], // weak person, kept for ByteTrack's second association
    [500, 300, 80, 80, 2, 0.95], // a car: not a person
    [400, 400, 60, 100, 0, 0.05], // below conf
  ];

  for (const transposed of [false, true]) {
    it(`keeps people above conf, suppresses duplicates and maps to source pixels (${transposed ? '[1,N,84]' : '[1,84,N]'})`, () => {
      const { data, dims } = head(8400, 80, rows, transposed);
      const dets = decodeYolo(data, dims, LB, 768, 432, { conf: 0.1, iou: 0.7, classes: [0], maxDetections: 300 });
      expect(dets.map((d) => d.score)).to.deep.equal([Math.fround(0.9), Math.fround(0.3)]);
      const b = dets[0]!.box;
      // (320 - 50, 320 - 100 - 140) / (5/6) = (324, 96) .. (444, 336)
      expect(b.x1).to.be.closeTo(324, 1e-3);
      expect(b.y1).to.be.closeTo(96, 1e-3);
      expect(b.x2).to.be.closeTo(444, 1e-3);
      expect(b.y2).to.be.closeTo(336, 1e-3);
      expect(dets.every((d) => d.classId === 0)).to.equal(true);
    });
  }

  it('is class-aware: a person and a car on the same spot both survive', () => {
    const { data, dims } = head(100, 80, [[320, 320, 100, 200, 0, 0.9], [320, 320, 100, 200, 2, 0.8]]);
    const dets = decodeYolo(data, dims, LB, 768, 432, { conf: 0.25, iou: 0.5, classes: [0, 2], maxDetections: 10 });
    expect(dets.map((d) => d.classId)).to.deep.equal([0, 2]);
  });

  it('works for a single-class fine-tuned head and rejects a class it does not have', () => {
    const { data, dims } = head(100, 1, [[320, 320, 100, 200, 0, 0.9]]);
    expect(decodeYolo(data, dims, LB, 768, 432)).to.have.length(1);
    expect(() => decodeYolo(data, dims, LB, 768, 432, { conf: 0.1, iou: 0.7, classes: [3], maxDetections: 10 })).to.throw(/class 3/);
  });

  it('clips boxes to the frame and drops boxes that lie in the letterbox bars', () => {
    const { data, dims } = head(100, 80, [[20, 600, 60, 60, 0, 0.9], [10, 160, 40, 200, 0, 0.8]]);
    const dets = decodeYolo(data, dims, LB, 768, 432);
    expect(dets).to.have.length(1);
    expect(dets[0]!.box.x1).to.equal(0);
    expect(dets[0]!.box.y1).to.equal(0);
  });

  it('names a head it cannot read', () => {
    for (const dims of [[1, 8400], [2, 84, 8400], [1, 4, 8400]]) {
      try {
        headLayout(dims);
        expect.fail(`accepted ${dims}`);
      } catch (err) {
        expect(isAppError(err) && err.code === 'MODEL_INVALID', String(err)).to.equal(true);
      }
    }
    expect(headLayout([1, 84, 8400])).to.deep.equal({ anchors: 8400, channels: 84, transposed: false });
    expect(headLayout([1, 2100, 84])).to.deep.equal({ anchors: 2100, channels: 84, transposed: true });
  });

  it('nms keeps the best of overlapping boxes and separate boxes', () => {
    const d = (x: number, s: number) => ({ box: { x1: x, y1: 0, x2: x + 10, y2: 10 }, score: s, classId: 0 });
    expect(nms([d(0, 0.5), d(1, 0.9), d(50, 0.4)], 0.5).map((k) => k.score)).to.deep.equal([0.9, 0.4]);
  });

  it('unletterbox inverts the letterbox', () => {
    expect(unletterbox({ x1: 0, y1: 140, x2: 640, y2: 500 }, LB, 768, 432)).to.deep.equal({ x1: 0, y1: 0, x2: 768, y2: 432 });
  });

  it('converts HWC bytes to CHW floats in 0..1', () => {
    const rgb = Uint8Array.from([255, 0, 51, 0, 255, 102]); // 2x1 image
    const out = toChwFloat(rgb, 2, 1, new Float32Array(6));
    expect([...out].map((v) => Math.round(v * 255))).to.deep.equal([255, 0, 0, 255, 51, 102]);
    expect(() => toChwFloat(rgb, 4, 1, new Float32Array(12))).to.throw(RangeError);
  });

  it('converts HWC bytes to CHW BGR 0..255 for YOLOX', () => {
    const rgb = Uint8Array.from([255, 0, 51, 0, 255, 102]);
    const out = toChw(rgb, 2, 1, new Float32Array(6), { channelOrder: 'bgr', pixelScale: 1 });
    expect([...out]).to.deep.equal([51, 102, 0, 255, 255, 0]);
  });

  describe('YOLOX head', () => {
    // 768x432 letterboxed top-left into 416x416: scale 416/768, no padding offsets.
    const XLB: Letterbox = { scale: 416 / 768, padX: 0, padY: 0, inputWidth: 416, inputHeight: 416 };
    const levels = [{ s: 8, n: 52 }, { s: 16, n: 26 }, { s: 32, n: 13 }];
    /** A [1, 3549, 85] tensor with the given cells set: [level, gx, gy, dx, dy, w, h, objectness, classId, classScore]. */
    function yolox(cells: number[][]): { data: Float32Array; dims: number[] } {
      const V = 85;
      const data = new Float32Array(3549 * V);
      for (const [level, gx, gy, dx, dy, w, h, obj, cls, score] of cells) {
        const before = levels.slice(0, level!).reduce((n, l) => n + l.n * l.n, 0);
        const o = (before + gy! * levels[level!]!.n + gx!) * V;
        const s = levels[level!]!.s;
        data.set([dx!, dy!, Math.log(w! / s), Math.log(h! / s), obj!], o);
        data[o + 5 + cls!] = score!;
      }
      return { data, dims: [1, 3549, V] };
    }

    it('decodes grid offsets and log sizes per stride, scores objectness × class, and maps to source pixels', () => {
      const { data, dims } = yolox([
        [1, 10, 5, 0.5, 0.25, 64, 128, 0.9, 0, 0.8], // person at stride 16, cell (10,5): centre (168, 84)
        [1, 11, 5, -0.4, 0.25, 64, 128, 0.8, 0, 0.8], // its duplicate from the next cell: centre (169.6, 84)
        [0, 40, 30, 0, 0, 16, 40, 0.5, 0, 0.4], // small weak person at stride 8: score 0.2
        [2, 3, 3, 0.5, 0.5, 100, 100, 0.9, 2, 0.9], // a car
        [0, 1, 1, 0.5, 0.5, 16, 40, 0.9, 0, 0.05], // objectness high, person score low: 0.045 < conf
      ]);
      const dets = decodeYolox(data, dims, XLB, 768, 432);
      expect(dets.map((d) => d.score)).to.deep.equal([Math.fround(0.9) * Math.fround(0.8), Math.fround(0.5) * Math.fround(0.4)]);
      const b = dets[0]!.box;
      const k = 768 / 416;
      expect(b.x1).to.be.closeTo((168 - 32) * k, 1e-3);
      expect(b.y1).to.be.closeTo((84 - 64) * k, 1e-3);
      expect(b.x2).to.be.closeTo((168 + 32) * k, 1e-3);
      expect(b.y2).to.be.closeTo((84 + 64) * k, 1e-3);
      expect(dets[1]!.box.x1).to.be.closeTo((320 - 8) * k, 1e-3);
    });

    it('keeps other classes when asked and refuses a tensor that does not fit the input size', () => {
      const { data, dims } = yolox([[2, 3, 3, 0.5, 0.5, 100, 100, 0.9, 2, 0.9]]);
      expect(decodeYolox(data, dims, XLB, 768, 432, { conf: 0.1, iou: 0.7, classes: [0, 2], maxDetections: 10 }).map((d) => d.classId)).to.deep.equal([2]);
      expect(() => decodeYolox(data, dims, { ...XLB, inputWidth: 640, inputHeight: 640 }, 768, 432)).to.throw(/does not fit a 640x640 input/);
      expect(() => decodeYolox(data, dims, XLB, 768, 432, { conf: 0.1, iou: 0.7, classes: [80], maxDetections: 10 })).to.throw(/class 80/);
    });
  });
});
