import type { HeatmapGrid } from '../../common/heatmap.js';
import { anchorOf, type TrackedFrame } from '../types.js';

export interface OccupancyGridOptions {
  /** Grid size in cells; 32×18 keeps 16:9 cells square and a payload under 2 kB of JSON. */
  cols: number;
  rows: number;
  /** A track's anchor is counted at most once per this many ms, so a count ≈ person-seconds whatever the fps. */
  sampleMs: number;
  /** Only tracks matched to a detection this frame count: a coasting Kalman prediction is a guess. */
  trackedOnly: boolean;
}

export const DEFAULT_GRID_OPTIONS: OccupancyGridOptions = { cols: 32, rows: 18, sampleMs: 1000, trackedOnly: true };

const MINUTE_MS = 60_000;

/**
 * Pure accumulator of track anchors (bottom centre of the box: where the person stands) per cell per minute.
 * Frames carry their own timestamps (no clock): `add` files a sample under the minute of its frame, and
 * `flush(beforeMs)` hands back every finished minute, oldest first. Late frames of an already flushed minute
 * start that minute again and it is re-sent; the hub replaces a minute it already has.
 */
export function createOccupancyGrid(opts: Partial<OccupancyGridOptions> = {}) {
  const o = { ...DEFAULT_GRID_OPTIONS, ...opts };
  if (!(o.cols >= 1 && o.rows >= 1 && Number.isInteger(o.cols) && Number.isInteger(o.rows))) {
    throw new RangeError(`occupancy grid: cols and rows must be positive integers (got ${o.cols}×${o.rows})`);
  }
  const minutes = new Map<number, Uint32Array>();
  const lastSample = new Map<number, number>();

  function cellOf(x: number, y: number): number {
    const c = Math.min(o.cols - 1, Math.max(0, Math.floor(x * o.cols)));
    const r = Math.min(o.rows - 1, Math.max(0, Math.floor(y * o.rows)));
    return r * o.cols + c;
  }

  /** Removes and returns the grids of every minute that ended at or before `beforeMs`, oldest first. */
  function flush(beforeMs: number): HeatmapGrid[] {
    const done = [...minutes.keys()].filter((m) => m + MINUTE_MS <= beforeMs).sort((a, b) => a - b);
    return done.map((m) => {
      const counts = Array.from(minutes.get(m)!);
      minutes.delete(m);
      return { minute_ts: m, cols: o.cols, rows: o.rows, counts };
    });
  }

  return {
    /** Counts the anchors of one tracked frame. */
    add(tf: TrackedFrame): void {
      const t = tf.frame.timestampMs;
      for (const id of tf.removed) lastSample.delete(id);
      for (const track of tf.tracks) {
        if (o.trackedOnly && track.state !== 'tracked') continue;
        const prev = lastSample.get(track.trackId);
        if (prev !== undefined && t - prev < o.sampleMs && t >= prev) continue;
        lastSample.set(track.trackId, t);
        const [x, y] = anchorOf(track.box, tf.frame.sourceWidth, tf.frame.sourceHeight);
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
        let grid = minutes.get(minute);
        if (!grid) minutes.set(minute, (grid = new Uint32Array(o.cols * o.rows)));
        grid[cellOf(x, y)]! += 1;
      }
    },
    flush,
    /** Every grid still open (end of a file: publish the partial last minute). */
    flushAll: (): HeatmapGrid[] => flush(Number.POSITIVE_INFINITY),
    options: o,
  };
}
export type OccupancyGrid = ReturnType<typeof createOccupancyGrid>;
