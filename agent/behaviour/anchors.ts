/**
 * Where a tracked person stands. Usually the bottom centre of the box, but when someone walks in front of them
 * the detector (and ByteTrack's low-score second association) returns only the visible upper body: the box
 * bottom jumps up by half a body and the "feet" land on the far side of a zone edge. Measured on
 * store-aisle-detection.gif: the occluded shopper's anchor jumped from y 0.83 to 0.50 in one frame and she
 * left the aisle zone while standing still. So a box much shorter than the track's recent height, with its
 * top where it was, gets its feet estimated from the top and the recent height.
 */
import { anchorOf, type Box } from '../types.js';
import { mapTrackPart, type TrackPart } from './track-part.js';

/** A box shorter than this share of the recent height is treated as cut off at the bottom. */
const TRUNCATED = 0.75;
/** Weight of the newest height in the running average (≈ the last 5 frames). */
const ALPHA = 0.2;

export interface AnchorEstimator extends TrackPart {
  /** Anchor (normalised) of `box` for `trackId`; `tracked` boxes update the height memory. */
  anchor(trackId: number, box: Box, w: number, h: number, tracked: boolean): [number, number];
}

export function createAnchorEstimator(): AnchorEstimator {
  const heights = new Map<number, number>();
  return {
    ...mapTrackPart(heights),
    anchor(trackId, box, w, h, tracked) {
      const height = box.y2 - box.y1;
      const recent = heights.get(trackId);
      // A box cut by the frame's bottom edge is short for another reason (walking in/out of view): take it as is.
      const atEdge = box.y2 >= h - 2;
      if (recent !== undefined && !atEdge && height < TRUNCATED * recent) {
        return [(box.x1 + box.x2) / 2 / w, Math.min(1, (box.y1 + recent) / h)];
      }
      if (tracked) heights.set(trackId, recent === undefined ? height : recent + ALPHA * (height - recent));
      return anchorOf(box, w, h);
    },
  };
}
