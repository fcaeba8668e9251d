/**
 * Decodes a YOLOv8 / YOLO11 detection head (Ultralytics export, no NMS in the graph): a [1, 4 + C, N] tensor
 * of (cx, cy, w, h) in model-input pixels followed by C class scores (no objectness), or its transpose
 * [1, N, 4 + C] that some exporters produce. Keeps the wanted classes above a threshold, runs class-aware NMS
 * and maps boxes back through the letterbox into source pixels. Pure.
 */
import { AppError } from '../../common/errors.js';
import type { Box, Detection, Letterbox } from '../types.js';

export interface DecodeOptions {
  /** Lowest class score kept (ByteTrack feeds boxes down to 0.1 into its second association). */
  conf: number;
  /** IoU above which a lower-scored box of the same class is suppressed. */
  iou: number;
  /** Class ids kept (COCO person = 0). */
  classes: readonly number[];
  /** Hard cap on boxes returned, highest scores first. */
  maxDetections: number;
}

export const DECODE_DEFAULTS: DecodeOptions = Object.freeze({ conf: 0.1, iou: 0.7, classes: Object.freeze([0]), maxDetections: 300 });

export interface HeadLayout {
  /** Candidate boxes (anchors). */
  anchors: number;
  /** Values per anchor: 4 + number of classes. */
  channels: number;
  /** True for [1, N, 4 + C]. */
  transposed: boolean;
}

/** Works out the layout from the output dims: the anchor axis is the longer one (8400 vs 84 at 640²). */
export function headLayout(dims: readonly number[]): HeadLayout {
  if (dims.length !== 3 || dims[0] !== 1) {
    throw new AppError('MODEL_INVALID', `detector output must be [1, 4+classes, anchors] or its transpose, got [${dims.join(', ')}]`);
  }
  const [, a, b] = dims as [number, number, number];
  const transposed = a > b;
  const channels = transposed ? b : a;
  if (channels < 5) throw new AppError('MODEL_INVALID', `detector output has ${channels} values per box; a YOLOv8/YOLO11 head has 4 + classes`);
  return { anchors: transposed ? a : b, channels, transposed };
}

export function decodeYolo(data: Float32Array, dims: readonly number[], lb: Letterbox, srcW: number, srcH: number, opts: DecodeOptions = DECODE_DEFAULTS): Detection[] {
  const { anchors: N, channels: C, transposed } = headLayout(dims);
  const at = transposed ? (ch: number, i: number) => data[i * C + ch]! : (ch: number, i: number) => data[ch * N + i]!;
  const found: Detection[] = [];
  for (const cls of opts.classes) {
    if (cls + 4 >= C) throw new AppError('MODEL_INVALID', `class ${cls} asked for, but the model has ${C - 4} classes`);
    const perClass: Detection[] = [];
    for (let i = 0; i < N; i++) {
      const score = at(4 + cls, i);
      if (score < opts.conf) continue;
      const cx = at(0, i);
      const cy = at(1, i);
      const w = at(2, i);
      const h = at(3, i);
      const box = unletterbox({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, lb, srcW, srcH);
      if (box.x2 - box.x1 < 1 || box.y2 - box.y1 < 1) continue;
      perClass.push({ box, score, classId: cls });
    }
    found.push(...nms(perClass, opts.iou));
  }
  return found.sort((a, b) => b.score - a.score).slice(0, opts.maxDetections);
}

/** Model-input pixels → source pixels, clipped to the frame. */
export function unletterbox(b: Box, lb: Letterbox, srcW: number, srcH: number): Box {
  const fx = (x: number) => clamp((x - lb.padX) / lb.scale, 0, srcW);
  const fy = (y: number) => clamp((y - lb.padY) / lb.scale, 0, srcH);
  return { x1: fx(b.x1), y1: fy(b.y1), x2: fx(b.x2), y2: fy(b.y2) };
}

/** Greedy NMS on one class's boxes. */
export function nms(dets: Detection[], iouThresh: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const keep: Detection[] = [];
  for (const d of sorted) if (keep.every((k) => boxIou(k.box, d.box) <= iouThresh)) keep.push(d);
  return keep;
}

function boxIou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
