/**
 * The onnxruntime-node adapter: loads a YOLOv8/YOLO11 or YOLOX ONNX export, recognises its head and input size
 * from the model's own shapes (heads.ts), and turns a letterboxed RGB24 frame into person detections
 * (decode.ts / decode-yolox.ts do the maths). An unknown model is refused here, at start, not on the first frame.
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../common/errors.js';
import type { Detection, Letterbox } from '../types.js';
import { DECODE_DEFAULTS, decodeYolo, type DecodeOptions } from './decode.js';
import { decodeYolox } from './decode-yolox.js';
import { inputSizeOf, recogniseModel, type HeadKind, type ModelSpec } from './heads.js';
import { toChw } from './preprocess.js';

export { inputSizeOf } from './heads.js';

export interface DetectorOptions {
  modelPath: string;
  /** onnxruntime intra-op threads. */
  threads?: number;
  decode?: Partial<DecodeOptions>;
  /** Forces the head of a model whose output shape is ambiguous (a channels-last head without 80 COCO classes). */
  head?: HeadKind;
  /** Input size for a model with dynamic axes (multiples of 32); a model with a fixed size refuses another one. */
  inputSize?: { width: number; height: number };
}

export interface Detector {
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** What the model is and expects; the source letterboxes frames by `spec.letterboxAlign`. */
  readonly spec: ModelSpec;
  /** Preprocess + run + decode one frame (rgb must be inputWidth x inputHeight RGB24). */
  detect(rgb: Uint8Array, lb: Letterbox, srcW: number, srcH: number): Promise<Detection[]>;
  /** Only the model call, on an already-converted tensor: the benchmark's ceiling. */
  runTensor(input: Float32Array): Promise<void>;
  /** HWC→CHW conversion into a new buffer (benchmark helper). */
  toTensor(rgb: Uint8Array): Float32Array;
  close(): Promise<void>;
}

function shapeOf(meta: ort.InferenceSession.ValueMetadata | undefined): (number | string)[] | undefined {
  return meta && 'shape' in meta ? (meta.shape as (number | string)[]) : undefined;
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
  const inputShape = shapeOf(session.inputMetadata[0]);
  let width: number;
  let height: number;
  try {
    ({ width, height } = inputSizeOf(inputShape, opts.inputSize));
  } catch (err) {
    await session.release();
    throw new AppError('MODEL_INVALID', `${opts.modelPath}: ${(err as Error).message}`, undefined, { cause: err });
  }
  const buffer = new Float32Array(3 * width * height);
  const dims = [1, 3, height, width];

  async function run(input: Float32Array): Promise<ort.Tensor> {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
    return out[outputName]!;
  }

  let spec: ModelSpec;
  try {
    let outShape = shapeOf(session.outputMetadata[0]);
    // A dynamic output shape is only known by running the model once (a blank frame; also warms it up).
    if (!outShape || !outShape.every((d) => typeof d === 'number')) outShape = [...(await run(buffer)).dims];
    spec = recogniseModel(inputShape, outShape as number[], opts.head, { width, height });
  } catch (err) {
    await session.release();
    if (err instanceof AppError) throw new AppError('MODEL_INVALID', `${opts.modelPath}: ${err.message}`, undefined, { cause: err });
    throw new AppError('MODEL_INVALID', `${opts.modelPath}: cannot run on a ${width}x${height} input: ${(err as Error).message}`, undefined, { cause: err });
  }
  const decode: DecodeOptions = { ...DECODE_DEFAULTS, ...opts.decode };
  const decodeHead = spec.head === 'yolox' ? decodeYolox : decodeYolo;

  return {
    inputWidth: width,
    inputHeight: height,
    spec,
    async detect(rgb, lb, srcW, srcH) {
      const out = await run(toChw(rgb, width, height, buffer, spec));
      return decodeHead(out.data as Float32Array, out.dims, lb, srcW, srcH, decode);
    },
    async runTensor(input) {
      await run(input);
    },
    toTensor(rgb) {
      return toChw(rgb, width, height, new Float32Array(3 * width * height), spec);
    },
    async close() {
      await session.release();
    },
  };
}
