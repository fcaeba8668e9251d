/**
 * Steadies the anchor zones are judged on. A standing person's box bottom moves with pose and detector noise:
 * measured on a re-framed one-by-one clip, a shopper standing still at the counter had her feet anchor jump between
 * 0.89 and 0.95 of the frame height from frame to frame, across the counter polygon's edge. The zone anchor is the
 * per-coordinate median of the track's last anchors within `windowMs`: a median ignores single-frame outliers (a
 * box that briefly loses the feet) that a mean would follow, and for a walker it only lags by half the window, the
 * same on the way in and out, so dwell is unchanged. Door lines keep the raw anchor: their crossing must be seen
 * before a track leaves the picture. Input anchors already carry the occlusion correction (anchors.ts).
 */
import { mapTrackPart, type TrackPart } from './track-part.js';

export interface AnchorSmoother extends TrackPart {
  /** Adds a detector-matched anchor of `trackId` seen at `atMs` and returns the steadied anchor. */
  smooth(trackId: number, anchor: readonly [number, number], atMs: number): [number, number];
}

interface Sample {
  atMs: number;
  x: number;
  y: number;
}

export function createAnchorSmoother(windowMs: number): AnchorSmoother {
  const history = new Map<number, Sample[]>();
  return {
    ...mapTrackPart(history),
    smooth(trackId, anchor, atMs) {
      const kept = (history.get(trackId) ?? []).filter((s) => atMs - s.atMs < windowMs);
      kept.push({ atMs, x: anchor[0], y: anchor[1] });
      history.set(trackId, kept);
      return [median(kept.map((s) => s.x)), median(kept.map((s) => s.y))];
    },
  };
}

export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}
