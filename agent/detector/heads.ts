/**
 * Recognises which detection head a model has from its own input and output shapes, and what the model expects
 * of its input (size, channel order, pixel scale, letterbox alignment). Pure: shapes in, a plain spec out.
 *
 *  - YOLOv8 / YOLO11 (Ultralytics export): input [1, 3, H, W] RGB 0..1, centred letterbox; output [1, 4 + C, N]
 *    (or its transpose [1, N, 4 + C]) of (cx, cy, w, h) in input pixels and C class scores, no objectness.
 *  - YOLOX (Megvii export without in-graph decoding): input [1, 3, H, W] BGR 0..255, letterboxed to the
 *    top-left (its `preproc` pads right and bottom with 114); output [1, N, 5 + C] of grid offsets, log sizes,
 *    objectness and C class scores over N = Σ (H/s)(W/s) cells of strides 8, 16, 32.
 *
 * Channels-first output is always YOLOv8. Channels-last is ambiguous in general (YOLOX with C classes has as many
 * values per cell as a transposed YOLOv8 head with C + 1), so it is read by the COCO widths — 85 is YOLOX, 84 is
 * YOLOv8 — and any other width needs the head named explicitly.
 */
import { AppError } from '../../common/errors.js';

export type HeadKind = 'yolov8' | 'yolox';

export interface ModelSpec {
  head: HeadKind;
  /** Model input size in pixels. */
  inputWidth: number;
  inputHeight: number;
  /** Order of the three input planes. */
  channelOrder: 'rgb' | 'bgr';
  /** Multiplier from a 0..255 byte to the model's input value. */
  pixelScale: number;
  /** Where the picture sits inside the padded input. */
  letterboxAlign: 'center' | 'top-left';
  /** Candidate boxes per frame. */
  anchors: number;
  /** Class scores per box. */
  classes: number;
  /** True when the output is [1, N, values] rather than [1, values, N]. */
  channelsLast: boolean;
  /** True when the model fixes its input size (false: dynamic axes, any multiple of 32 works). */
  fixedInput: boolean;
}

/** YOLOX's feature-map strides (FPN levels P3..P5). */
export const YOLOX_STRIDES: readonly number[] = Object.freeze([8, 16, 32]);

/** Grid cells of a YOLOX head at this input size: 52² + 26² + 13² = 3549 at 416². */
export function yoloxCells(width: number, height: number): number {
  return YOLOX_STRIDES.reduce((n, s) => n + Math.floor(height / s) * Math.floor(width / s), 0);
}

/** Input size when the model leaves it dynamic: the Ultralytics default. */
const DEFAULT_SIZE = 640;

type Dims = readonly (number | string)[];

function show(dims: Dims | undefined): string {
  return dims ? `[${dims.join(', ')}]` : 'unknown';
}

/** True when the model's input shape fixes both spatial sizes. */
export function isFixedInput(dims: Dims | undefined): boolean {
  return !!dims && dims.length === 4 && typeof dims[2] === 'number' && dims[2] > 0 && typeof dims[3] === 'number' && dims[3] > 0;
}

/**
 * Spatial input size from the model's input shape [1, 3, H, W]. Dynamic axes take `wanted` (or 640, the
 * Ultralytics default); a fixed size that differs from `wanted` is refused.
 */
export function inputSizeOf(dims: Dims | undefined, wanted?: { width: number; height: number }): { width: number; height: number } {
  const fallback = wanted ?? { width: DEFAULT_SIZE, height: DEFAULT_SIZE };
  if (!dims) return fallback;
  if (dims.length !== 4 || (typeof dims[1] === 'number' && dims[1] !== 3)) {
    throw new AppError('MODEL_INVALID', `model input must be [1, 3, height, width] (NCHW, 3 channels), got shape ${show(dims)}`);
  }
  const num = (v: number | string | undefined, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  const size = { width: num(dims[3], fallback.width), height: num(dims[2], fallback.height) };
  if (wanted && (size.width !== wanted.width || size.height !== wanted.height)) {
    throw new AppError('MODEL_INVALID', `model input is fixed at ${size.width}x${size.height} (shape ${show(dims)}); ${wanted.width}x${wanted.height} asked for`);
  }
  return size;
}

/**
 * The spec of a model from its input shape and its (actual, numeric) output shape. `head` forces the reading of
 * an ambiguous channels-last output. Throws MODEL_INVALID naming both shapes when the model is not one it knows.
 */
export function recogniseModel(inputDims: Dims | undefined, outputDims: readonly number[], head?: HeadKind, wanted?: { width: number; height: number }): ModelSpec {
  const { width, height } = inputSizeOf(inputDims, wanted);
  const fixedInput = isFixedInput(inputDims);
  const refuse = (why: string): never => {
    throw new AppError(
      'MODEL_INVALID',
      `unsupported detector: input ${show(inputDims)}, output ${show(outputDims)}: ${why}. ` +
        'Supported: YOLOv8/YOLO11 output [1, 4+classes, anchors] (or its transpose) and YOLOX output [1, cells, 5+classes]',
    );
  };
  if (outputDims.length !== 3 || outputDims[0] !== 1) return refuse('the output must have 3 axes with batch 1');
  const [, a, b] = outputDims as [number, number, number];
  const channelsLast = a > b;
  const values = channelsLast ? b : a;
  const anchors = channelsLast ? a : b;
  const kind: HeadKind | undefined = head ?? (!channelsLast ? 'yolov8' : values === 85 ? 'yolox' : values === 84 ? 'yolov8' : undefined);
  if (!kind) return refuse(`${values} values per box is ambiguous (YOLOX has 5 + classes, a transposed YOLOv8 head 4 + classes); name the head`);
  if (kind === 'yolox') {
    if (!channelsLast) return refuse('a YOLOX head is [1, cells, 5+classes]');
    if (values < 6) return refuse(`a YOLOX head has 5 + classes values per cell, got ${values}`);
    const cells = yoloxCells(width, height);
    if (anchors !== cells) return refuse(`a YOLOX head at ${width}x${height} has ${cells} grid cells (strides ${YOLOX_STRIDES.join('/')}), got ${anchors}`);
    return { head: kind, inputWidth: width, inputHeight: height, channelOrder: 'bgr', pixelScale: 1, letterboxAlign: 'top-left', anchors, classes: values - 5, channelsLast, fixedInput };
  }
  if (values < 5) return refuse(`a YOLOv8/YOLO11 head has 4 + classes values per box, got ${values}`);
  return { head: kind, inputWidth: width, inputHeight: height, channelOrder: 'rgb', pixelScale: 1 / 255, letterboxAlign: 'center', anchors, classes: values - 4, channelsLast, fixedInput };
}
