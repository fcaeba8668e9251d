/**
 * Picks and copies the few crops per track that re-id will embed: whole (not cut by the frame edge), upright,
 * unoccluded by another track, confidently detected, and sharp (variance of the Laplacian, the usual blur
 * measure, Pech-Pacheco et al. 2000). Copies are needed because Frame.rgb is only valid during onFrame.
 */
import type { Box, Frame } from '../../types.js';
import type { Crop } from './types.js';

export interface CropCandidate {
  crop: Crop;
  quality: number;
  atMs: number;
}

/** Source-pixel margin a box must keep from the frame edge to count as whole. */
const EDGE_MARGIN_PX = 3;

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** Whether a box is usable for re-id at all (cheap checks before any pixel is read). */
export function cropEligible(frame: Frame, box: Box, score: number, others: readonly Box[]): boolean {
  if (score < 0.5) return false;
  if (box.x1 < EDGE_MARGIN_PX || box.y1 < EDGE_MARGIN_PX) return false;
  if (box.x2 > frame.sourceWidth - EDGE_MARGIN_PX || box.y2 > frame.sourceHeight - EDGE_MARGIN_PX) return false;
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  if (h * frame.letterbox.scale < 64 || h / w < 1.4 || h / w > 5) return false;
  return others.every((o) => iou(o, box) === 0);
}

/** Copies a box out of the letterboxed frame (model-input pixels). */
export function copyCrop(frame: Frame, box: Box): Crop | null {
  const { scale, padX, padY, inputWidth, inputHeight } = frame.letterbox;
  const x1 = Math.max(0, Math.floor(box.x1 * scale + padX));
  const y1 = Math.max(0, Math.floor(box.y1 * scale + padY));
  const x2 = Math.min(inputWidth, Math.ceil(box.x2 * scale + padX));
  const y2 = Math.min(inputHeight, Math.ceil(box.y2 * scale + padY));
  const width = x2 - x1;
  const height = y2 - y1;
  if (width < 8 || height < 16) return null;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y1 + y) * inputWidth + x1) * 3;
    rgb.set(frame.rgb.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, rgb };
}

/** Variance of the 4-neighbour Laplacian of the grey image. */
export function sharpness(c: Crop): number {
  const { width: w, height: h, rgb } = c;
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - w]! + grey[i + w]! - 4 * grey[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  return n ? sum2 / n - (sum / n) ** 2 : 0;
}

/** Keeps the best `k` crops of each track, by sharpness × size; spreads picks in time via `minGapMs`. */
export function createCropKeeper(k: number, minGapMs: number) {
  const kept = new Map<number, CropCandidate[]>();
  return {
    /** Whether a crop taken at `atMs` could be kept (so the pixels are only copied when useful). */
    wants(trackId: number, atMs: number): boolean {
      const list = kept.get(trackId) ?? [];
      return list.every((c) => Math.abs(c.atMs - atMs) >= minGapMs);
    },
    offer(trackId: number, crop: Crop, atMs: number): void {
      const list = kept.get(trackId) ?? [];
      const quality = sharpness(crop) * Math.sqrt(crop.width * crop.height);
      list.push({ crop, quality, atMs });
      list.sort((a, b) => b.quality - a.quality);
      if (list.length > k) list.length = k;
      kept.set(trackId, list);
    },
    /** Crops kept for a track, optionally only those taken at or after `sinceMs`. */
    crops(trackId: number, sinceMs = -Infinity): Crop[] {
      return (kept.get(trackId) ?? []).filter((c) => c.atMs >= sinceMs).map((c) => c.crop);
    },
    forget(trackId: number): void {
      kept.delete(trackId);
    },
    rename(from: number, to: number): void {
      const merged = [...(kept.get(from) ?? []), ...(kept.get(to) ?? [])].sort((a, b) => b.quality - a.quality).slice(0, k);
      kept.delete(from);
      kept.set(to, merged);
    },
    heldTracks: () => kept.size,
  };
}
export type CropKeeper = ReturnType<typeof createCropKeeper>;
