/**
 * Re-entry: appearance signatures kept at EXIT, and the decision at ENTRY (new visitor or REENTRY of one who
 * went out). Owns the per-track crops (its track-scoped state, see track-part.ts) and the exit gallery (kept by
 * visitor, so a track's end does not touch it); the embedder is the only async step.
 */
import type { Logger } from '../../common/logger.js';
import type { Frame, Track } from '../types.js';
import type { BehaviourTuning } from './options.js';
import { copyCrop, createCropKeeper, cropEligible } from './reid/crops.js';
import { createGallery, signatureOf, type MatchResult } from './reid/matcher.js';
import type { ReidEmbedder } from './reid/types.js';
import type { TrackState } from './track-state.js';
import type { VisitorBook } from './visitors.js';

export interface EntryDecision {
  type: 'ENTRY' | 'REENTRY';
  visitorId: string;
  result: MatchResult | null;
}

export function createReentry(deps: {
  reid: ReidEmbedder;
  match: { threshold: number; margin: number };
  tuning: BehaviourTuning;
  visitors: VisitorBook;
  logger: Logger;
}) {
  const { reid, tuning, visitors, logger } = deps;
  const crops = createCropKeeper(tuning.reidCropsPerTrack, tuning.reidCropGapMs);
  const gallery = createGallery({ ...deps.match, windowMs: tuning.reentryWindowMin * 60_000 });
  const decisions = { reentry: 0, newVisitor: 0 };

  const signature = async (trackId: number) => signatureOf(await reid.embed(crops.crops(trackId)));

  return {
    decisions,
    rename: (from: number, to: number) => crops.rename(from, to),
    forget: (trackId: number) => crops.forget(trackId),
    heldTracks: () => crops.heldTracks(),
    /** Pixel phase: keeps a copy of the track's crop when it is whole, sharp enough and spaced from the others. */
    offerCrop(frame: Frame, t: Track, all: readonly Track[], nowMs: number): void {
      if (!crops.wants(t.trackId, nowMs)) return;
      const others = all.filter((o) => o !== t).map((o) => o.box);
      if (!cropEligible(frame, t.box, t.score, others)) return;
      const c = copyCrop(frame, t.box);
      if (c) crops.offer(t.trackId, c, nowMs);
    },
    /** Whether a pending entry can be decided now: after the group window with enough crops, or at the hold's end. */
    entryDue(s: TrackState, nowMs: number): boolean {
      if (!s.entry) return false;
      const since = nowMs - s.entry.atMs;
      return since >= tuning.entryHoldMs || (since >= tuning.groupWindowMs && crops.crops(s.trackId).length >= tuning.reidMinCrops);
    },
    /** Decides a pending entry: REENTRY of a matched earlier visitor, or ENTRY of a new (or already named) one. */
    async decide(s: TrackState): Promise<EntryDecision> {
      const entryMs = s.entry!.atMs;
      const result = s.visitorId ? null : gallery.match(await signature(s.trackId), entryMs);
      const decision: EntryDecision = result?.matched
        ? { type: 'REENTRY', visitorId: result.visitorId, result }
        : { type: 'ENTRY', visitorId: s.visitorId ?? visitors.create(), result };
      if (decision.type === 'REENTRY') decisions.reentry++;
      else decisions.newVisitor++;
      logger.info({ track_id: s.trackId, visitor_id: decision.visitorId, ...result }, 're-entry decision');
      return decision;
    },
    /** Keeps the signature of a visitor who just went out. */
    async recordExit(trackId: number, visitorId: string, atMs: number): Promise<void> {
      const sig = await signature(trackId);
      if (sig) gallery.add({ visitorId, signature: sig, exitMs: atMs });
    },
    /** The visitor came back on the same track: their signature must not match anyone else. */
    returned(visitorId: string): void {
      gallery.remove(visitorId);
    },
  };
}
export type Reentry = ReturnType<typeof createReentry>;
