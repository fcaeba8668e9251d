/**
 * The onnxruntime-node adapter: loads a YOLOv8/YOLO11 ONNX export, reads its input size from the model,
 * and turns a letterboxed RGB24 frame into person detections (decode.ts does the maths).
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../common/errors.js';
import type { Detection, Letterbox } from '../types.js';
import { DECODE_DEFAULTS, decodeYolo, headLayout, type DecodeOptions } from './decode.js';
import { toChwFloat } from './preprocess.js';

export interface DetectorOptions {
  modelPath: string;
  /** onnxruntime intra-op threads. */
  threads?: number;
  decode?: Partial<DecodeOptions>;
}

export interface Detector {
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Preprocess + run + decode one frame (rgb must be inputWidth x inputHeight RGB24). */
  detect(rgb: Uint8Array, lb: Letterbox, srcW: number, srcH: number): Promise<Detection[]>;
  /** Only the model call, on an already-converted tensor: the benchmark's ceiling. */
  runTensor(input: Float32Array): Promise<void>;
  /** HWC→CHW conversion into a new buffer (benchmark helper). */
  toTensor(rgb: Uint8Array): Float32Array;
  close(): Promise<void>;
}

/** Spatial input size from the model's metadata; dynamic axes fall back to 640 (the Ultralytics default). */
export function inputSizeOf(dims: readonly (number | string)[] | undefined): { width: number; height: number } {
  const num = (v: number | string | undefined) => (typeof v === 'number' && v > 0 ? v : 640);
  if (!dims || dims.length !== 4) return { width: 640, height: 640 };
  if (typeof dims[1] === 'number' && dims[1] !== 3) throw new AppError('MODEL_INVALID', `model input must have 3 channels (NCHW RGB), got shape [${dims.join(', ')}]`);
  return { width: num(dims[3]), height: num(dims[2]) };
}

export async function createDetector(opts: DetectorOptions): Promise<Detector> {
  if (!existsSync(opts.modelPath)) throw new AppError('MODEL_INVALID', `model file not found: ${opts.modelPath}`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(opts.modelPath, {
      intraOpNumThreads: opts.threads ?? 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Idle intra-op threads sleep instead of spin-waiting: spinning burns a core between frames, which a box
      // running several cameras (and ffmpeg) cannot afford.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw new AppError('MODEL_INVALID', `cannot load model ${opts.modelPath}: ${(err as Error).message}`, undefined, { cause: err });
  }
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const meta = session.inputMetadata[0];
  const { width, height } = inputSizeOf(meta && 'shape' in meta ? (meta.shape as (number | string)[]) : undefined);
  const outMeta = session.outputMetadata[0];
  if (outMeta && 'shape' in outMeta && outMeta.shape.every((d) => typeof d === 'number')) headLayout(outMeta.shape as number[]);
  const decode: DecodeOptions = { ...DECODE_DEFAULTS, ...opts.decode };
  const buffer = new Float32Array(3 * width * height);
  const dims = [1, 3, height, width];

  async function run(input: Float32Array): Promise<ort.Tensor> {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
    return out[outputName]!;
  }

  return {
    inputWidth: width,
    inputHeight: height,
    async detect(rgb, lb, srcW, srcH) {
      const out = await run(toChwFloat(rgb, width, height, buffer));
      return decodeYolo(out.data as Float32Array, out.dims, lb, srcW, srcH, decode);
    },
    async runTensor(input) {
      await run(input);
    },
    toTensor(rgb) {
      return toChwFloat(rgb, width, height, new Float32Array(3 * width * height));
    },
    async close() {
      await session.release();
    },
  };
}
