/**
 * Decodes a YOLOX head exported without in-graph decoding ([1, N, 5 + C], Megvii's `decode_in_inference=False`):
 * per grid cell (dx, dy, log w, log h, objectness, C class scores), cells ordered stride 8, 16, 32 and row-major
 * within each level. Box centre = (offset + cell) · stride, size = exp(log size) · stride; score = objectness ×
 * class score (both already sigmoid in the graph), as YOLOX's own `postprocess`. Pure.
 */
import { AppError } from '../../common/errors.js';
import type { Detection, Letterbox } from '../types.js';
import { DECODE_DEFAULTS, nms, unletterbox, type DecodeOptions } from './decode.js';
import { YOLOX_STRIDES, yoloxCells } from './heads.js';

export function decodeYolox(data: Float32Array, dims: readonly number[], lb: Letterbox, srcW: number, srcH: number, opts: DecodeOptions = DECODE_DEFAULTS): Detection[] {
  const [, N, V] = dims as [number, number, number];
  const W = lb.inputWidth;
  const H = lb.inputHeight;
  if (dims.length !== 3 || N !== yoloxCells(W, H) || V < 6) {
    throw new AppError('MODEL_INVALID', `YOLOX output [${dims.join(', ')}] does not fit a ${W}x${H} input (${yoloxCells(W, H)} cells of 5 + classes values)`);
  }
  for (const cls of opts.classes) if (cls + 5 >= V) throw new AppError('MODEL_INVALID', `class ${cls} asked for, but the model has ${V - 5} classes`);
  const perClass = new Map<number, Detection[]>(opts.classes.map((c) => [c, []]));
  let i = 0;
  for (const stride of YOLOX_STRIDES) {
    const cols = Math.floor(W / stride);
    const rows = Math.floor(H / stride);
    for (let gy = 0; gy < rows; gy++) {
      for (let gx = 0; gx < cols; gx++, i++) {
        const o = i * V;
        const obj = data[o + 4]!;
        if (obj < opts.conf) continue; // score = obj × cls ≤ obj
        for (const cls of opts.classes) {
          const score = obj * data[o + 5 + cls]!;
          if (score < opts.conf) continue;
          const cx = (data[o]! + gx) * stride;
          const cy = (data[o + 1]! + gy) * stride;
          const w = Math.exp(data[o + 2]!) * stride;
          const h = Math.exp(data[o + 3]!) * stride;
          const box = unletterbox({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, lb, srcW, srcH);
          if (box.x2 - box.x1 < 1 || box.y2 - box.y1 < 1) continue;
          perClass.get(cls)!.push({ box, score, classId: cls });
        }
      }
    }
  }
  const found = [...perClass.values()].flatMap((dets) => nms(dets, opts.iou));
  return found.sort((a, b) => b.score - a.score).slice(0, opts.maxDetections);
}
