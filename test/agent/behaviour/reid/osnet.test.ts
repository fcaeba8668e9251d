/**
 * The OSNet adapter on real crops of one-by-one-person-detection.mp4 (boxes from the detector, fixed here as
 * inputs): the same person a few seconds apart must be closer than any two different people, including the
 * two pairs dressed alike. Skips, saying why, without the model or clip.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { copyCrop } from '../../../../agent/behaviour/reid/crops.js';
import { createHistogramEmbedder } from '../../../../agent/behaviour/reid/histogram.js';
import { createOsnetEmbedder } from '../../../../agent/behaviour/reid/osnet.js';
import { dot, type Crop } from '../../../../agent/behaviour/reid/types.js';
import type { Frame } from '../../../../agent/types.js';
import { AppError } from '../../../../common/errors.js';

const ASSETS = process.env['STORE_ASSETS_DIR'];
const MODEL = ASSETS ? join(ASSETS, 'models/osnet_x0_25_msmt17.onnx') : '';
const CLIP = ASSETS ? join(ASSETS, 'media/one-by-one-person-detection.mp4') : '';
const FFMPEG = 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg';

/** Frame number → [person, box in source pixels (768×432)]. Persons 1/5 and 2/4 are dressed alike. */
const SHOTS: [number, number, [number, number, number, number]][] = [
  [100, 1, [382.8, 14.4, 515.8, 391.5]],
  [150, 1, [384.8, 17.3, 519.3, 391.0]],
  [300, 2, [381.1, 5.1, 545.0, 382.0]],
  [400, 2, [382.7, 7.4, 545.6, 383.0]],
  [1000, 5, [383.3, 10.6, 522.5, 379.4]],
  [1100, 5, [383.4, 9.9, 524.5, 379.7]],
];

function cropsFromClip(): Crop[] {
  const select = SHOTS.map(([n]) => `eq(n\\,${n})`).join('+');
  const raw = execFileSync(FFMPEG, ['-loglevel', 'error', '-i', CLIP, '-vf', `select=${select},scale=640:360,pad=640:640:0:140`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
  const size = 640 * 640 * 3;
  return SHOTS.map(([index, , [x1, y1, x2, y2]], i) => {
    const frame: Frame = {
      index,
      timestampMs: index * 100,
      sourceWidth: 768,
      sourceHeight: 432,
      rgb: raw.subarray(i * size, (i + 1) * size),
      letterbox: { scale: 640 / 768, padX: 0, padY: 140, inputWidth: 640, inputHeight: 640 },
    };
    return copyCrop(frame, { x1, y1, x2, y2 })!;
  });
}

describe('agent/behaviour/reid/osnet @integration', function () {
  let crops: Crop[];
  before(function () {
    if (!ASSETS || !existsSync(MODEL) || !existsSync(CLIP)) {
      console.log(`skipping: needs STORE_ASSETS_DIR with models/osnet_x0_25_msmt17.onnx and the one-by-one clip (STORE_ASSETS_DIR=${ASSETS ?? 'unset'})`);
      this.skip();
    }
    crops = cropsFromClip();
  });

  it('embeds crops as unit vectors of the model width', async () => {
    const emb = await createOsnetEmbedder(MODEL);
    const [a, b] = await emb.embed(crops.slice(0, 2));
    expect(emb.name).to.equal('osnet');
    expect(a).to.have.length(512);
    expect(dot(a!, a!)).to.be.closeTo(1, 1e-4);
    expect(dot(a!, b!)).to.be.lessThan(1);
    expect(await emb.embed([])).to.deep.equal([]);
  });

  it('puts the same person closer than any two different people, look-alikes included', async () => {
    const emb = await createOsnetEmbedder(MODEL);
    const e = await emb.embed(crops);
    let minSame = Infinity;
    let maxOther = -Infinity;
    for (let i = 0; i < e.length; i++) {
      for (let j = i + 1; j < e.length; j++) {
        const sim = dot(e[i]!, e[j]!);
        if (SHOTS[i]![1] === SHOTS[j]![1]) minSame = Math.min(minSame, sim);
        else maxOther = Math.max(maxOther, sim);
      }
    }
    console.log(`      osnet: same person ≥ ${minSame.toFixed(3)}, different people ≤ ${maxOther.toFixed(3)}`);
    expect(minSame).to.be.greaterThan(maxOther);
  });

  it('the histogram fallback is weaker but still tells the grey cardigan from the black hoodie', async () => {
    const e = await createHistogramEmbedder().embed(crops);
    expect(dot(e[0]!, e[1]!)).to.be.greaterThan(dot(e[0]!, e[2]!));
  });

  it('refuses a missing or non-model file with MODEL_INVALID naming it', async () => {
    for (const path of ['/nonexistent/osnet.onnx', CLIP]) {
      let err: unknown;
      try {
        await createOsnetEmbedder(path);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(AppError).with.property('code', 'MODEL_INVALID');
      expect((err as Error).message).to.contain(path);
    }
  });
});
