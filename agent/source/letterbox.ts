/**
 * Letterbox geometry shared by ffmpeg (which does the resize in C) and the detector (which maps boxes back).
 * Sizes are computed here and passed to ffmpeg explicitly, so JS and the filter graph cannot disagree by a
 * rounding pixel. Pad colour 114 grey is what Ultralytics and YOLOX both train and letterbox with; Ultralytics
 * centres the picture, YOLOX puts it in the top-left corner (its `preproc` pads right and bottom only).
 */
import type { Letterbox } from '../types.js';

export type LetterboxAlign = 'center' | 'top-left';

export function computeLetterbox(srcW: number, srcH: number, inW: number, inH: number, align: LetterboxAlign = 'center'): Letterbox & { width: number; height: number } {
  if (!(srcW > 0 && srcH > 0 && inW > 0 && inH > 0)) throw new RangeError(`invalid sizes ${srcW}x${srcH} → ${inW}x${inH}`);
  const scale = Math.min(inW / srcW, inH / srcH);
  const width = Math.min(inW, Math.round(srcW * scale));
  const height = Math.min(inH, Math.round(srcH * scale));
  const padX = align === 'center' ? Math.floor((inW - width) / 2) : 0;
  const padY = align === 'center' ? Math.floor((inH - height) / 2) : 0;
  return { scale, padX, padY, inputWidth: inW, inputHeight: inH, width, height };
}

/** The ffmpeg -vf chain producing exactly `computeLetterbox`'s image. */
export function letterboxFilter(lb: Letterbox & { width: number; height: number }): string {
  return `scale=${lb.width}:${lb.height}:flags=bilinear,pad=${lb.inputWidth}:${lb.inputHeight}:${lb.padX}:${lb.padY}:color=0x727272`;
}
