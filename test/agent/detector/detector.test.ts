/**
 * The detector adapter on real footage with the real models: YOLOX-nano (BGR 0..255, top-left letterbox, grid
 * head) must find the same person as YOLOv8n (RGB 0..1, centred letterbox, anchor-free head) frame by frame, which
 * a wrong channel order, pixel scale, letterbox side or grid decode would break. Needs STORE_ASSETS_DIR.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDetector, type Detector } from '../../../agent/detector/detector.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { openSource } from '../../../agent/source/video-source.js';
import type { Box, Detection } from '../../../agent/types.js';
import { isAppError } from '../../../common/errors.js';

const ASSETS = process.env['STORE_ASSETS_DIR'];
const asset = (...p: string[]) => (ASSETS ? join(ASSETS, ...p) : '');
const YOLOX = asset('models', 'yolox_nano.onnx');
const YOLOV8 = asset('models', 'yolov8n_int8.onnx');
const CLIP = asset('media', 'worker-zone-detection.gif');

function need(ctx: Mocha.Context, ...files: string[]): void {
  const missing = files.filter((f) => !f || !existsSync(f));
  if (missing.length) {
    console.log(`      skipped: ${missing.map((m) => m || '$STORE_ASSETS_DIR').join(', ')} not found (set STORE_ASSETS_DIR)`);
    ctx.skip();
  }
}

function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** Confident people on every 8th frame of the clip, letterboxed the way the model asks. */
async function peopleEvery8th(det: Detector): Promise<Detection[][]> {
  const src = await openSource({ input: CLIP, inputWidth: det.inputWidth, inputHeight: det.inputHeight, letterboxAlign: det.spec.letterboxAlign, ...resolveBinaries(process.env) });
  const out: Detection[][] = [];
  try {
    for await (const f of src.frames()) {
      if (f.index % 8 === 0) out.push((await det.detect(f.rgb, f.letterbox, f.sourceWidth, f.sourceHeight)).filter((d) => d.score >= 0.4));
    }
  } finally {
    src.close();
  }
  return out;
}

describe('agent/detector on real footage @integration', function () {
  this.timeout(300_000);

  it('YOLOX-nano is recognised from its shapes and finds the worker where YOLOv8n does, frame by frame', async function () {
    need(this, YOLOX, YOLOV8, CLIP);
    const x = await createDetector({ modelPath: YOLOX, threads: 2 });
    const v8 = await createDetector({ modelPath: YOLOV8, threads: 2 });
    try {
      expect(x.spec).to.include({ head: 'yolox', inputWidth: 416, inputHeight: 416, channelOrder: 'bgr', letterboxAlign: 'top-left' });
      expect(v8.spec).to.include({ head: 'yolov8', inputWidth: 640, inputHeight: 640, channelOrder: 'rgb', letterboxAlign: 'center' });
      const [fx, f8] = [await peopleEvery8th(x), await peopleEvery8th(v8)];
      expect(fx.length).to.equal(f8.length).and.to.be.at.least(8);
      fx.forEach((dets, i) => {
        // One worker on screen the whole clip: each model sees exactly one confident person, and the same one.
        expect(dets, `frame ${i * 8} YOLOX`).to.have.length(1);
        expect(f8[i], `frame ${i * 8} YOLOv8`).to.have.length(1);
        const overlap = iou(dets[0]!.box, f8[i]![0]!.box);
        expect(overlap, `frame ${i * 8}: YOLOX ${JSON.stringify(dets[0]!.box)} vs YOLOv8 ${JSON.stringify(f8[i]![0]!.box)}`).to.be.greaterThan(0.75);
        // Source pixels of a 480x270 clip.
        expect(dets[0]!.box.x2).to.be.at.most(480);
        expect(dets[0]!.box.y2).to.be.at.most(270);
      });
    } finally {
      await x.close();
      await v8.close();
    }
  });

  it('refuses a model that is not a detector at start, naming the shapes it saw', async function () {
    const reid = asset('models', 'osnet_x0_25_msmt17.onnx');
    need(this, reid);
    try {
      await createDetector({ modelPath: reid });
      expect.fail('accepted a re-id model as a detector');
    } catch (err) {
      expect(isAppError(err) && err.code === 'MODEL_INVALID', String(err)).to.equal(true);
      expect((err as Error).message).to.include('osnet_x0_25_msmt17.onnx').and.match(/input \[.*3, 256, 128\].*output \[.*512\]/);
    }
  });
});
