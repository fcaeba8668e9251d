import type { HeatmapGrid } from '../../common/heatmap.js';
import type { Box, Detection, Frame, TrackedFrame } from '../types.js';
import { createBackgroundEstimator, type BackgroundOptions, type RgbImage } from './background.js';
import { createOccupancyGrid, type OccupancyGridOptions } from './occupancy-grid.js';
import { encodePng } from './png.js';

export interface CameraHeatmapOptions {
  grid: Partial<OccupancyGridOptions>;
  background: Partial<BackgroundOptions>;
  /** Frame time between two background samples: far apart, so people who move are outvoted by the median. */
  backgroundSampleMs: number;
  /** Samples needed before the first background is published. */
  backgroundMinSamples: number;
  /** Frame time between two background publications. */
  backgroundPublishMs: number;
}

export const DEFAULT_CAMERA_HEATMAP_OPTIONS: CameraHeatmapOptions = {
  grid: {},
  background: {},
  backgroundSampleMs: 5_000,
  backgroundMinSamples: 8,
  backgroundPublishMs: 10 * 60_000,
};

/** What the agent publishes on `store/<s>/camera/<c>/heatmap` (common/heatmap.ts). */
export type HeatmapMessage =
  | HeatmapGrid
  | { background: { mime: 'image/png'; image_base64: string; width: number; height: number } };

/** The source-frame content of a letterboxed model input, and a box mapper into it. */
export function unletterbox(frame: Frame): { image: RgbImage; toImage: (b: Box) => Box } {
  const { scale, padX, padY, inputWidth } = frame.letterbox;
  const x0 = Math.round(padX);
  const y0 = Math.round(padY);
  const w = Math.min(inputWidth - x0, Math.round(frame.sourceWidth * scale));
  const h = Math.min(frame.letterbox.inputHeight - y0, Math.round(frame.sourceHeight * scale));
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * inputWidth + x0) * 3;
    data.set(frame.rgb.subarray(from, from + w * 3), y * w * 3);
  }
  const toImage = (b: Box): Box => ({ x1: b.x1 * scale, y1: b.y1 * scale, x2: b.x2 * scale, y2: b.y2 * scale });
  return { image: { width: w, height: h, data }, toImage };
}

/**
 * The agent side of the camera heatmap: feeds the occupancy grid every frame and the background estimator every
 * `backgroundSampleMs`, and says what to publish. Pure (frame timestamps are the clock; no I/O): the publisher
 * sends the returned messages. Only frames the detector ran on are sampled for the background, and every person
 * box (confirmed tracks, coasting tracks and raw detections alike) is masked, so no person pixel is published.
 */
export function createCameraHeatmap(opts: Partial<CameraHeatmapOptions> = {}) {
  const o = { ...DEFAULT_CAMERA_HEATMAP_OPTIONS, ...opts };
  const grid = createOccupancyGrid(o.grid);
  const background = createBackgroundEstimator(o.background);
  let lastSample = -Infinity;
  let lastPublish = -Infinity;

  function backgroundMessage(): HeatmapMessage | null {
    const est = background.estimate();
    if (!est) return null;
    const png = encodePng(est);
    return { background: { mime: 'image/png', image_base64: png.toString('base64'), width: est.width, height: est.height } };
  }

  return {
    /** One tracked frame (plus the frame's raw detections, if any); returns the messages now due. */
    onFrame(tf: TrackedFrame, detections: readonly Detection[] = []): HeatmapMessage[] {
      const t = tf.frame.timestampMs;
      grid.add(tf);
      const out: HeatmapMessage[] = grid.flush(Math.floor(t / 60_000) * 60_000);
      if (tf.inferred && t - lastSample >= o.backgroundSampleMs) {
        lastSample = t;
        const { image, toImage } = unletterbox(tf.frame);
        const boxes = [...tf.tracks.map((k) => k.box), ...detections.map((d) => d.box)].map(toImage);
        background.add(image, boxes);
        if (background.sampleCount() >= o.backgroundMinSamples && t - lastPublish >= o.backgroundPublishMs) {
          lastPublish = t;
          const msg = backgroundMessage();
          if (msg) out.push(msg);
        }
      }
      return out;
    },
    /** End of input: the partial last minute and a final background (if any samples were taken). */
    finish(): HeatmapMessage[] {
      const out: HeatmapMessage[] = grid.flushAll();
      const msg = background.sampleCount() > 0 ? backgroundMessage() : null;
      if (msg) out.push(msg);
      return out;
    },
    background,
  };
}
export type CameraHeatmap = ReturnType<typeof createCameraHeatmap>;
