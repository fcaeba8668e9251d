/**
 * The calibration view: the picture part of each letterboxed frame (no grey bars) with the camera's door lines,
 * zones, and every track's box and id drawn on it, encoded to a video file by ffmpeg. The frame is the model's
 * input, so what you see is exactly what the detector saw. Written only on request (--annotate) on the agent's
 * own disk: no image leaves the agent.
 */
import ffmpeg from 'fluent-ffmpeg';
import { PassThrough } from 'node:stream';
import { AppError } from '../../common/errors.js';
import type { CameraLayout } from '../../common/layout.js';
import type { TrackedFrame } from '../types.js';
import { drawLine, drawPolygon, drawRect, drawText, type Image, type Rgb } from './raster.js';

const PALETTE: Rgb[] = [[230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230]];
const LINE: Rgb = [255, 255, 255];
const ZONE: Rgb = [0, 255, 160];

/** Pure: the picture region (even-sized for yuv420p) of a letterboxed frame with overlays drawn on it. */
export function renderFrame(tf: TrackedFrame, camera: CameraLayout | undefined): Image {
  const lb = tf.frame.letterbox;
  const width = Math.round(tf.frame.sourceWidth * lb.scale) & ~1;
  const height = Math.round(tf.frame.sourceHeight * lb.scale) & ~1;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y + lb.padY) * lb.inputWidth + lb.padX) * 3;
    data.set(tf.frame.rgb.subarray(from, from + width * 3), y * width * 3);
  }
  const img: Image = { data, width, height };
  const nx = (v: number) => v * width;
  const ny = (v: number) => v * height;
  for (const z of camera?.zones ?? []) {
    drawPolygon(img, z.polygon.map(([x, y]) => [nx(x), ny(y)] as const), ZONE, 2);
    drawText(img, nx(z.polygon[0]![0]) + 3, ny(z.polygon[0]![1]) + 3, z.zone_id, ZONE);
  }
  for (const l of camera?.door_lines ?? []) {
    drawLine(img, nx(l.a[0]), ny(l.a[1]), nx(l.b[0]), ny(l.b[1]), LINE, 3);
    drawText(img, nx(l.a[0]) + 3, ny(l.a[1]) - 18, `${l.line_id} IN:${l.inside}`, LINE);
  }
  for (const t of tf.tracks) {
    const c = PALETTE[t.trackId % PALETTE.length]!;
    const s = lb.scale;
    drawRect(img, t.box.x1 * s, t.box.y1 * s, t.box.x2 * s, t.box.y2 * s, c, t.state === 'tracked' ? 2 : 1);
    drawText(img, t.box.x1 * s, Math.max(0, t.box.y1 * s - 16), `${t.trackId}:${Math.round(t.score * 100)}`, c);
  }
  drawText(img, 4, 4, `F${tf.frame.index}${tf.inferred ? '' : ' -'}`, [255, 255, 255]);
  return img;
}

export interface AnnotationWriter {
  write(tf: TrackedFrame): Promise<void>;
  /** Finishes the file; resolves once ffmpeg has written it. */
  close(): Promise<void>;
}

export function createAnnotationWriter(path: string, fps: number, ffmpegPath: string, camera: CameraLayout | undefined): AnnotationWriter {
  const input = new PassThrough();
  let done: Promise<void> | undefined;
  let started = false;
  let failure: Error | undefined;

  function start(width: number, height: number): void {
    started = true;
    done = new Promise((resolve, reject) => {
      ffmpeg(input)
        .setFfmpegPath(ffmpegPath)
        .inputFormat('rawvideo')
        .inputOptions(['-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps)])
        .outputOptions(['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'])
        .on('error', (err: Error, _o: string | null, stderr: string | null) => {
          failure = new AppError('INPUT_UNREADABLE', `--annotate ${path}: ffmpeg could not write the video (${(stderr || err.message).trim().split('\n').slice(-1)[0]})`);
          input.resume();
          reject(failure);
        })
        .on('end', () => resolve())
        .save(path);
    });
    done.catch(() => undefined);
  }

  return {
    async write(tf) {
      if (failure) throw failure;
      const img = renderFrame(tf, camera);
      if (!started) start(img.width, img.height);
      if (!input.write(img.data)) await new Promise<void>((r) => input.once('drain', () => r()));
    },
    async close() {
      input.end();
      if (done) await done;
    },
  };
}
