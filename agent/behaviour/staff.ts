/**
 * Staff detection. Two signals: (1) uniform colour on the torso, voted over a track's sampled frames
 * (staff when ≥ `min_vote` of samples match); (2) anyone seen in a `staff_only` zone is staff.
 * A new track's events are held until the vote settles (at most `holdMs`) so `is_staff` is right from the
 * track's first event; after that the flag can only turn on (a later staff_only visit), never back off.
 */
import type { StaffConfig } from '../../common/layout.js';
import type { Box, Frame } from '../types.js';
import { mapTrackPart, type TrackPart } from './track-part.js';

/**
 * Share of torso pixels within tolerance of a uniform colour for a frame to count as a match. Measured with the
 * sample store's orange (235,110,40 ±70): the hi-vis worker in worker-zone-detection.gif scores 0.18–0.67
 * (66 of 68 frames ≥ 0.15, 48 ≥ 0.25: the shaded vest is darker, ~158,39,11), the aisle shoppers 0.00.
 */
export const TORSO_MATCH_FRACTION = 0.15;

/** Torso region of a person box: the middle half across, 20–50% down (below the head, above the belt). */
export function torsoRegion(box: Box): Box {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return { x1: box.x1 + 0.25 * w, x2: box.x2 - 0.25 * w, y1: box.y1 + 0.2 * h, y2: box.y1 + 0.5 * h };
}

/** Fraction of torso pixels (in the letterboxed model input) matching any uniform colour; null if none usable. */
export function torsoMatchFraction(frame: Frame, box: Box, staff: StaffConfig): number | null {
  if (staff.uniform_colors.length === 0) return null;
  const { scale, padX, padY, inputWidth, inputHeight } = frame.letterbox;
  const t = torsoRegion(box);
  const x1 = Math.max(0, Math.floor(t.x1 * scale + padX));
  const x2 = Math.min(inputWidth, Math.ceil(t.x2 * scale + padX));
  const y1 = Math.max(0, Math.floor(t.y1 * scale + padY));
  const y2 = Math.min(inputHeight, Math.ceil(t.y2 * scale + padY));
  if (x2 - x1 < 2 || y2 - y1 < 2) return null;
  const step = x2 - x1 > 40 ? 2 : 1;
  const tol2 = staff.uniform_colors.map((c) => c.tolerance * c.tolerance);
  let total = 0;
  let hits = 0;
  for (let y = y1; y < y2; y += step) {
    for (let x = x1; x < x2; x += step) {
      const o = (y * inputWidth + x) * 3;
      const r = frame.rgb[o]!;
      const g = frame.rgb[o + 1]!;
      const b = frame.rgb[o + 2]!;
      total++;
      for (let i = 0; i < staff.uniform_colors.length; i++) {
        const [cr, cg, cb] = staff.uniform_colors[i]!.rgb;
        if ((r - cr) ** 2 + (g - cg) ** 2 + (b - cb) ** 2 <= tol2[i]!) {
          hits++;
          break;
        }
      }
    }
  }
  return total ? hits / total : null;
}

export interface StaffVote extends TrackPart {
  /** Records one torso sample (match or not) for a track. */
  sample(trackId: number, matched: boolean, atMs: number): void;
  /** The track was seen in a staff_only zone: staff from now on. */
  markStaffZone(trackId: number): void;
  /** Whether the vote is settled at `nowMs` (enough samples, or the hold expired). */
  settled(trackId: number, nowMs: number): boolean;
  /** Settles (if not yet) and returns the verdict. */
  verdict(trackId: number): boolean;
}

interface VoteState {
  firstMs: number;
  samples: number;
  matches: number;
  staffZone: boolean;
  decided: boolean | null;
}

export function createStaffVote(cfg: StaffConfig, opts: { holdMs: number; settleSamples: number }): StaffVote {
  const votes = new Map<number, VoteState>();
  const stateOf = (trackId: number, atMs: number): VoteState => {
    let v = votes.get(trackId);
    if (!v) {
      v = { firstMs: atMs, samples: 0, matches: 0, staffZone: false, decided: null };
      votes.set(trackId, v);
    }
    return v;
  };
  const decide = (v: VoteState): boolean =>
    // Fewer than 3 samples is no vote at all; such tracks stay customers unless seen in a staff_only zone.
    v.staffZone || (v.samples >= 3 && v.matches / v.samples >= cfg.min_vote);

  return {
    ...mapTrackPart(votes),
    sample(trackId, matched, atMs) {
      const v = stateOf(trackId, atMs);
      v.samples++;
      if (matched) v.matches++;
    },
    markStaffZone(trackId) {
      const v = stateOf(trackId, 0);
      v.staffZone = true;
      if (v.decided === false) v.decided = true;
    },
    settled(trackId, nowMs) {
      const v = votes.get(trackId);
      if (!v) return cfg.uniform_colors.length === 0;
      if (v.decided !== null) return true;
      const noColours = cfg.uniform_colors.length === 0;
      if (noColours || v.samples >= opts.settleSamples || nowMs - v.firstMs >= opts.holdMs) {
        v.decided = decide(v);
        return true;
      }
      return false;
    },
    verdict(trackId) {
      const v = votes.get(trackId);
      if (!v) return false;
      if (v.decided === null) v.decided = decide(v);
      return v.decided;
    },
  };
}
