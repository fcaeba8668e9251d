/**
 * OSNet re-id embedder on onnxruntime-node (Zhou et al., "Omni-Scale Feature Learning for Person
 * Re-Identification", ICCV 2019). Any OSNet-format ONNX works: input NCHW float32 (read from the model, usually
 * [batch,3,256,128]), RGB normalised with the ImageNet mean/std as torchreid trains it; output [batch, D].
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../../common/errors.js';
import { l2normalise, type Crop, type ReidEmbedder } from './types.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Bilinear resize of a crop into one CHW slot of `out`, normalised. */
export function toTensorSlot(c: Crop, out: Float32Array, offset: number, w: number, h: number): void {
  const plane = w * h;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(c.height - 1, Math.max(0, ((y + 0.5) * c.height) / h - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(c.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(c.width - 1, Math.max(0, ((x + 0.5) * c.width) / w - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(c.width - 1, x0 + 1);
      const fx = sx - x0;
      for (let ch = 0; ch < 3; ch++) {
        const p00 = c.rgb[(y0 * c.width + x0) * 3 + ch]!;
        const p01 = c.rgb[(y0 * c.width + x1) * 3 + ch]!;
        const p10 = c.rgb[(y1 * c.width + x0) * 3 + ch]!;
        const p11 = c.rgb[(y1 * c.width + x1) * 3 + ch]!;
        const v = (p00 * (1 - fx) + p01 * fx) * (1 - fy) + (p10 * (1 - fx) + p11 * fx) * fy;
        out[offset + ch * plane + y * w + x] = (v / 255 - MEAN[ch]!) / STD[ch]!;
      }
    }
  }
}

export async function createOsnetEmbedder(modelPath: string, opts: { threads?: number } = {}): Promise<ReidEmbedder> {
  if (!existsSync(modelPath)) throw new AppError('MODEL_INVALID', `re-id model ${modelPath}: file not found`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: opts.threads ?? 1 });
  } catch (err) {
    throw new AppError('MODEL_INVALID', `re-id model ${modelPath}: cannot load (${(err as Error).message})`, undefined, { cause: err });
  }
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const meta = session.inputMetadata[0];
  const shape = meta && 'shape' in meta ? meta.shape : [];
  const h = typeof shape[2] === 'number' ? shape[2] : 256;
  const w = typeof shape[3] === 'number' ? shape[3] : 128;
  if (shape.length !== 4 || shape[1] !== 3) {
    throw new AppError('MODEL_INVALID', `re-id model ${modelPath}: input ${inputName} must be [N,3,H,W], got [${shape.join(',')}]`);
  }
  const fixedBatch = typeof shape[0] === 'number' ? shape[0] : null;

  async function run(batch: readonly Crop[]): Promise<Float32Array[]> {
    const data = new Float32Array(batch.length * 3 * h * w);
    batch.forEach((c, i) => toTensorSlot(c, data, i * 3 * h * w, w, h));
    const result = await session.run({ [inputName]: new ort.Tensor('float32', data, [batch.length, 3, h, w]) });
    const out = result[outputName]!.data as Float32Array;
    const dim = out.length / batch.length;
    return batch.map((_, i) => l2normalise(out.slice(i * dim, (i + 1) * dim)));
  }

  return {
    name: 'osnet',
    async embed(crops) {
      if (crops.length === 0) return [];
      if (fixedBatch === null) return run(crops);
      const out: Float32Array[] = [];
      for (const c of crops) out.push(...(await run([c])));
      return out;
    },
  };
}
