/**
 * ByteTrack (Zhang et al., "ByteTrack: Multi-Object Tracking by Associating Every Detection Box", ECCV 2022),
 * following the authors' `yolox/tracker/byte_tracker.py` step by step:
 *  1. high-score boxes (≥ trackThresh) are matched to tracked + lost tracks by IoU (fused with the score unless
 *     `fuseScore` is off, as in the authors' C++ demo);
 *  2. tracks still unmatched are matched to the low-score boxes (lowThresh..trackThresh) by plain IoU — the
 *     paper's key idea: an occluded person's weak box keeps their track instead of being thrown away;
 *  3. unconfirmed tracks (seen once) are matched to the leftover high boxes, or dropped;
 *  4. leftover boxes ≥ newTrackThresh start new tracks; lost tracks older than the buffer are removed.
 * With `REFERENCE_SETTINGS` it reproduces the official C++ demo box for box (test/agent/tracker/reference.test.ts).
 * Deliberate differences, each a named option: `idsAtConfirmation` (public ids are handed out at a track's second
 * hit, so one-frame false positives do not burn ids and ids count people 1, 2, 3…), `frameWidth`/`frameHeight`
 * (predicted boxes clipped to the frame) and `pixelIou` off (continuous IoU; the references' +1-pixel IoU split a
 * half-hidden shopper into two tracks on the aisle clip, docs/CHOICES.md).
 * Pure: no clock, no I/O; time is the number of `update` calls.
 */
import type { Box, Detection, Track } from '../types.js';
import { assign } from './assignment.js';
import { fromXyah, fuseScore, iouDistance, toXyah } from './geometry.js';
import { initiate, predict, update, type KalmanState } from './kalman.js';

export interface TrackerConfig {
  /** Detections at or above this score are "high" (first association, may start tracks). Paper: 0.5. */
  trackThresh: number;
  /** Detections below this are ignored entirely. Paper: 0.1. */
  lowThresh: number;
  /** Max IoU distance (1 − IoU·score) for the first association. Paper: 0.8. */
  matchThresh: number;
  /** Lowest score that starts a new track (the reference's det_thresh / high_thresh); default trackThresh + 0.1. */
  newTrackThresh?: number;
  /**
   * Multiply IoU by the detection score in the first and unconfirmed associations (`fuse_score`, on in the Python
   * reference unless MOT20; the C++ demo does not): a confident box wins a tie against a weak one on the same track.
   */
  fuseScore: boolean;
  /**
   * IoU with the +1 pixel-inclusive widths of `cython_bbox.bbox_overlaps`, which both reference implementations
   * use; off, the plain continuous IoU.
   */
  pixelIou: boolean;
  /**
   * Hand out public ids when a track is confirmed (its second hit); off, when it is created, as the reference
   * does. On, one-frame false positives burn no ids, and ids count people 1, 2, 3….
   */
  idsAtConfirmation: boolean;
  /**
   * Associate on each track's Kalman prediction for this frame, as the Python reference. Off, on the box of its
   * last update, as the official C++ demo does (its STrack refreshes the box it matches on only at an update).
   */
  matchOnPrediction: boolean;
  /** Frames a lost track is kept at 30 fps; scaled by frameRate / 30. Paper: 30. */
  trackBuffer: number;
  /** Rate at which `update` is called (source fps / detect-every). */
  frameRate: number;
  /**
   * Source frame size. When set, predicted boxes are clipped to the frame before IoU, as detections are: a person
   * walking out of the picture leaves a shrinking clipped box that an unclipped prediction (running past the edge)
   * no longer overlaps, and ByteTrack would start a second track on the last visible sliver (seen on
   * one-by-one-person-detection.mp4 at 69.8 s). Not in the reference code.
   */
  frameWidth?: number;
  frameHeight?: number;
}

export const TRACKER_DEFAULTS: TrackerConfig = Object.freeze({
  trackThresh: 0.5,
  lowThresh: 0.1,
  matchThresh: 0.8,
  trackBuffer: 30,
  frameRate: 30,
  fuseScore: true,
  pixelIou: false,
  idsAtConfirmation: true,
  matchOnPrediction: true,
});

/**
 * The behaviour of the official ByteTrack C++ demo that produced the peer golden data: no score fusion, matching
 * on the last updated box, ids at creation, no clipping.
 */
export const REFERENCE_SETTINGS: Partial<TrackerConfig> = Object.freeze({ fuseScore: false, matchOnPrediction: false, pixelIou: true, idsAtConfirmation: false, frameWidth: undefined, frameHeight: undefined });

/** Fixed thresholds of the reference implementation. */
const SECOND_MATCH_THRESH = 0.5;
const UNCONFIRMED_MATCH_THRESH = 0.7;
const DUPLICATE_DIST = 0.15;

type State = 'tracked' | 'lost' | 'removed';

interface STrack {
  id: number; // 0 until confirmed (idsAtConfirmation)
  kf: KalmanState;
  /** Box of the last update (what the C++ demo matches on). */
  updated: Box;
  score: number;
  state: State;
  activated: boolean;
  startFrame: number;
  endFrame: number;
}

export interface TrackerUpdate {
  tracks: Track[];
  /** Confirmed ids dropped for good this step. */
  removed: number[];
}

export class ByteTracker {
  readonly config: TrackerConfig;
  private readonly maxTimeLost: number;
  private frameId = 0;
  private nextId = 1;
  private tracked: STrack[] = [];
  private lost: STrack[] = [];
  private reported = new Set<number>();

  constructor(config: Partial<TrackerConfig> = {}) {
    this.config = { ...TRACKER_DEFAULTS, ...config };
    this.maxTimeLost = Math.max(1, Math.floor((this.config.frameRate / 30) * this.config.trackBuffer));
  }

  /** True while any track (confirmed, unconfirmed or lost) is alive: the detector must keep running. */
  hasActive(): boolean {
    return this.tracked.length + this.lost.length > 0;
  }

  /**
   * One detector run. `steps` is how many update intervals have passed since the last one (default 1): a live
   * stream whose frames were dropped while the agent was behind gives gaps, and predicting the tracks across the
   * whole gap (not one step) keeps them matched to where people have walked meanwhile, and ages lost tracks in
   * camera time. Predicting beyond the lost-track horizon is pointless, so the gap is capped there.
   */
  update(detections: readonly Detection[], steps = 1): TrackerUpdate {
    // At least one step (an update is never before the previous one), at most the lost-track horizon.
    const dt = Number.isFinite(steps) ? Math.min(this.maxTimeLost + 1, Math.max(1, steps)) : 1;
    const first = this.frameId === 0;
    this.frameId += dt;
    const { trackThresh, lowThresh, matchThresh, fuseScore: fuse, pixelIou } = this.config;
    const newTrackThresh = this.config.newTrackThresh ?? trackThresh + 0.1;
    const dist = (tracks: STrack[], dets: readonly Detection[], fused: boolean) => {
      const d = iouDistance(tracks.map(this.boxOf), dets.map((x) => x.box), pixelIou);
      return fused ? fuseScore(d, dets.map((x) => x.score)) : d;
    };
    const high = detections.filter((d) => d.score >= trackThresh);
    const low = detections.filter((d) => d.score > lowThresh && d.score < trackThresh);
    const activated: STrack[] = [];
    const refound: STrack[] = [];
    const lostNow: STrack[] = [];
    const removedNow: STrack[] = [];

    const unconfirmed = this.tracked.filter((t) => !t.activated);
    const confirmed = this.tracked.filter((t) => t.activated);
    const pool = uniq([...confirmed, ...this.lost]);
    for (const t of pool) {
      if (t.state !== 'tracked') t.kf = { mean: [...t.kf.mean.slice(0, 7), 0], covariance: t.kf.covariance };
      t.kf = predict(t.kf, dt);
    }

    // 1st association: all pooled tracks vs high-score boxes.
    const d1 = dist(pool, high, fuse);
    const a1 = assign(d1, high.length, matchThresh);
    for (const [ti, di] of a1.matches) this.hit(pool[ti]!, high[di]!, activated, refound);

    // 2nd association: remaining *tracked* tracks vs low-score boxes, IoU only.
    const rTracked = a1.unmatchedRows.map((i) => pool[i]!).filter((t) => t.state === 'tracked');
    const a2 = assign(dist(rTracked, low, false), low.length, SECOND_MATCH_THRESH);
    for (const [ti, di] of a2.matches) this.hit(rTracked[ti]!, low[di]!, activated, refound);
    for (const ti of a2.unmatchedRows) {
      const t = rTracked[ti]!;
      if (t.state !== 'lost') {
        t.state = 'lost';
        lostNow.push(t);
      }
    }

    // Unconfirmed tracks vs the high boxes left over.
    const leftHigh = a1.unmatchedCols.map((i) => high[i]!);
    const d3 = dist(unconfirmed, leftHigh, fuse);
    const a3 = assign(d3, leftHigh.length, UNCONFIRMED_MATCH_THRESH);
    for (const [ti, di] of a3.matches) this.hit(unconfirmed[ti]!, leftHigh[di]!, activated, refound);
    for (const ti of a3.unmatchedRows) {
      unconfirmed[ti]!.state = 'removed';
      removedNow.push(unconfirmed[ti]!);
    }

    // New tracks from confident leftovers (det_thresh = track_thresh + 0.1 in the reference code).
    for (const di of a3.unmatchedCols) {
      const d = leftHigh[di]!;
      if (d.score < newTrackThresh) continue;
      activated.push({
        id: this.config.idsAtConfirmation ? 0 : this.nextId++,
        kf: initiate(toXyah(d.box)),
        updated: fromXyah(toXyah(d.box)),
        score: d.score,
        state: 'tracked',
        // The reference activates tracks of the very first frame at once.
        activated: first,
        startFrame: this.frameId,
        endFrame: this.frameId,
      });
    }

    for (const t of this.lost) {
      if (t.state === 'lost' && this.frameId - t.endFrame > this.maxTimeLost) {
        t.state = 'removed';
        removedNow.push(t);
      }
    }

    this.tracked = uniq([...this.tracked.filter((t) => t.state === 'tracked'), ...activated, ...refound]);
    const trackedSet = new Set(this.tracked);
    this.lost = uniq([...this.lost, ...lostNow]).filter((t) => t.state === 'lost' && !trackedSet.has(t));
    this.dropDuplicates();
    for (const t of [...this.tracked, ...this.lost]) if (t.activated && t.id === 0) t.id = this.nextId++;
    return this.report();
  }

  /**
   * The current tracks moved `fraction` of one update step along their Kalman velocity, without changing
   * state: boxes for frames between detector runs (`--detect-every N` gives fractions k/N).
   */
  peek(fraction: number): Track[] {
    return this.alive().map((t) => {
      const m = t.kf.mean;
      const moved = [0, 1, 2, 3].map((i) => m[i]! + fraction * (t.state === 'tracked' || i !== 3 ? m[i + 4]! : 0));
      return this.toTrack(t, clipTo(fromXyah(moved), this.config.frameWidth, this.config.frameHeight));
    });
  }

  private hit(t: STrack, d: Detection, activated: STrack[], refound: STrack[]): void {
    t.kf = update(t.kf, toXyah(d.box));
    t.updated = fromXyah(t.kf.mean);
    t.score = d.score;
    t.endFrame = this.frameId;
    t.activated = true;
    if (t.state === 'tracked') activated.push(t);
    else {
      t.state = 'tracked';
      refound.push(t);
    }
  }

  /** ByteTrack's remove_duplicate_stracks: a tracked and a lost track on the same box keep the longer-lived one. */
  private dropDuplicates(): void {
    const dist = iouDistance(this.tracked.map(this.boxOf), this.lost.map(this.boxOf), this.config.pixelIou);
    const dropT = new Set<STrack>();
    const dropL = new Set<STrack>();
    dist.forEach((row, i) =>
      row.forEach((d, j) => {
        if (d >= DUPLICATE_DIST) return;
        const t = this.tracked[i]!;
        const l = this.lost[j]!;
        // Each track's own age at its last hit (frame_id − start_frame), as the reference; not the current frame.
        if (t.endFrame - t.startFrame > l.endFrame - l.startFrame) dropL.add(l);
        else dropT.add(t);
      }),
    );
    this.tracked = this.tracked.filter((t) => !dropT.has(t));
    this.lost = this.lost.filter((t) => !dropL.has(t));
  }

  /** The box a track is matched on, clipped to the frame when its size is known. */
  private readonly boxOf = (t: STrack): Box => clipTo(this.config.matchOnPrediction ? fromXyah(t.kf.mean) : t.updated, this.config.frameWidth, this.config.frameHeight);

  private alive(): STrack[] {
    return [...this.tracked.filter((t) => t.activated), ...this.lost].sort((a, b) => a.id - b.id);
  }

  private report(): TrackerUpdate {
    const tracks = this.alive().map((t) => this.toTrack(t, this.boxOf(t)));
    const now = new Set(tracks.map((t) => t.trackId));
    const removed = [...this.reported].filter((id) => !now.has(id));
    this.reported = now;
    return { tracks, removed };
  }

  private toTrack(t: STrack, box: Box): Track {
    return { trackId: t.id, box, score: t.score, state: t.state === 'tracked' ? 'tracked' : 'lost', age: this.frameId - t.startFrame };
  }
}

function clipTo(b: Box, w: number | undefined, h: number | undefined): Box {
  if (!w || !h) return b;
  const cx = (v: number) => Math.min(w, Math.max(0, v));
  const cy = (v: number) => Math.min(h, Math.max(0, v));
  return { x1: cx(b.x1), y1: cy(b.y1), x2: cx(b.x2), y2: cy(b.y2) };
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
