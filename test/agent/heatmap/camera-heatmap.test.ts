import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBackgroundEstimator } from '../../../agent/heatmap/background.js';
import { createCameraHeatmap, unletterbox } from '../../../agent/heatmap/camera-heatmap.js';
import { encodePng } from '../../../agent/heatmap/png.js';
import { createDetector, type Detector } from '../../../agent/detector/detector.js';
import { resolveBinaries } from '../../../agent/source/binaries.js';
import { computeLetterbox } from '../../../agent/source/letterbox.js';
import { openSource } from '../../../agent/source/video-source.js';
import type { Detection, Frame, TrackedFrame } from '../../../agent/types.js';
import { parseHeatmapPayload } from '../../../common/heatmap.js';
import { DEFAULT_DETECTOR_MODEL } from '../../../agent/detector/models.js';

const assets = process.env.STORE_ASSETS_DIR;
const modelPath = assets ? join(assets, 'models', DEFAULT_DETECTOR_MODEL) : '';
const clip = assets ? join(assets, 'media', 'one-by-one-person-detection.mp4') : '';

/** Letterboxes a source-sized RGB image into a model-input frame (grey bars, as ffmpeg's pad does). */
function asFrame(img: { width: number; height: number; data: Uint8Array }, inW: number, inH: number, srcW: number, srcH: number): Frame {
  const lb = computeLetterbox(srcW, srcH, inW, inH);
  const rgb = new Uint8Array(inW * inH * 3).fill(114);
  // Nearest-neighbour resize of the background (at the estimator's reduced size) back into the letterbox content.
  for (let y = 0; y < lb.height; y++) {
    for (let x = 0; x < lb.width; x++) {
      const sx = Math.min(img.width - 1, Math.floor((x * img.width) / lb.width));
      const sy = Math.min(img.height - 1, Math.floor((y * img.height) / lb.height));
      rgb.set(img.data.subarray((sy * img.width + sx) * 3, (sy * img.width + sx) * 3 + 3), ((y + lb.padY) * inW + x + lb.padX) * 3);
    }
  }
  return { index: 0, timestampMs: 0, sourceWidth: srcW, sourceHeight: srcH, rgb, letterbox: { scale: lb.scale, padX: lb.padX, padY: lb.padY, inputWidth: inW, inputHeight: inH } };
}

describe('agent/heatmap on real footage (ffmpeg + the default detector): the published background holds no person', function () {
  this.timeout(180_000);
  let detector: Detector | null = null;

  before(async function () {
    if (!assets || !existsSync(modelPath) || !existsSync(clip)) {
      console.log(`      skipped: needs STORE_ASSETS_DIR with models/${DEFAULT_DETECTOR_MODEL} and media/one-by-one-person-detection.mp4 (STORE_ASSETS_DIR=${assets ?? 'unset'})`);
      this.skip();
    }
    detector = await createDetector({ modelPath, threads: 2 });
  });
  after(() => detector?.close());

  it('masks every detected person, samples only uncovered pixels, and the detector finds nobody in the result', async () => {
    const d = detector!;
    const bins = resolveBinaries(process.env);
    const source = await openSource({ input: clip, inputWidth: d.inputWidth, inputHeight: d.inputHeight, ...bins, startTimeMs: Date.parse('2026-03-03T10:00:00Z') });
    const heat = createCameraHeatmap({ backgroundSampleMs: 4_000, backgroundMinSamples: 1_000, background: { samples: 40 } });
    // A twin estimator fed the same samples, kept to check the privacy rule pixel by pixel against its inputs.
    const twin = createBackgroundEstimator({ samples: 40 });
    let lastSample = -Infinity;
    let persons = 0;
    let grids = 0;
    let counted = 0;
    let anchors = 0;
    try {
      for await (const frame of source.frames()) {
        if (frame.index % 20 !== 0) continue; // one detection per 2 s of clip: enough for both, and the test stays short
        const dets: Detection[] = await d.detect(frame.rgb, frame.letterbox, frame.sourceWidth, frame.sourceHeight);
        const tf: TrackedFrame = {
          frame,
          tracks: dets.filter((x) => x.score >= 0.5).map((x, i) => ({ trackId: i + 1, box: x.box, score: x.score, state: 'tracked' as const, age: 5 })),
          removed: [],
          inferred: true,
        };
        anchors += tf.tracks.length; // detections are 2 s apart, beyond the grid's 1 s sampling period: each one counts
        for (const m of heat.onFrame(tf, dets.filter((x) => x.score >= 0.25))) {
          if ('counts' in m) (grids += 1), (counted += m.counts.reduce((a, b) => a + b, 0));
        }
        if (frame.timestampMs - lastSample >= 4_000) {
          lastSample = frame.timestampMs;
          const { image, toImage } = unletterbox(frame);
          const boxes = [...tf.tracks.map((k) => k.box), ...dets.filter((x) => x.score >= 0.25).map((x) => x.box)].map(toImage);
          persons += tf.tracks.length;
          twin.add(image, boxes);
        }
      }
    } finally {
      source.close();
    }
    const final = heat.finish();
    const bgMsg = final.find((m) => 'background' in m);
    expect(bgMsg, 'a background message at the end').to.not.equal(undefined);
    const parsed = parseHeatmapPayload(bgMsg);
    expect(parsed.kind).to.equal('background');
    const gridMsgs = final.filter((m) => 'counts' in m);
    for (const m of gridMsgs) counted += (m as { counts: number[] }).counts.reduce((a, b) => a + b, 0);
    expect(grids + gridMsgs.length, 'one grid per minute of the 139 s clip').to.equal(3);
    expect(counted, 'anchor samples in the grids').to.equal(anchors);
    expect(persons, 'the clip has people in the sampled frames').to.be.greaterThan(5);

    const est = twin.estimate()!;
    expect(Buffer.compare(Buffer.from(est.data), Buffer.from(heat.background.estimate()!.data)), 'twin matches the agent estimator').to.equal(0);
    console.log(`      background ${est.width}×${est.height} from ${est.samples} samples, coverage ${(est.coverage * 100).toFixed(1)}%, ${persons} person boxes masked`);
    expect(est.coverage).to.be.greaterThan(0.9);
    mkdirSync('test/artifacts', { recursive: true });
    writeFileSync('test/artifacts/background-one-by-one.png', encodePng(est));

    // The detector, run on the published background, finds no person.
    const f = asFrame(est, d.inputWidth, d.inputHeight, 768, 432);
    const again = await d.detect(f.rgb, f.letterbox, 768, 432);
    const people = again.filter((x) => x.score >= 0.25);
    console.log(`      detections on the background: ${people.length} (max score ${Math.max(0, ...again.map((x) => x.score)).toFixed(2)})`);
    expect(people).to.deep.equal([]);
  });
});
