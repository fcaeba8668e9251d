/**
 * Re-entry matching against the signatures of visitors who went out. A wrong REENTRY hides a real visitor,
 * so precision comes first: the best match must clear an absolute threshold AND beat the runner-up by a
 * margin. A single candidate has no runner-up, so it must clear threshold + margin/2: a lone look-alike is
 * exactly the case a plain threshold gets wrong.
 */
import { dot, l2normalise } from './types.js';

export interface MatchConfig {
  /** Minimum cosine similarity of the best candidate. */
  threshold: number;
  /** Minimum lead of the best over the second best candidate. */
  margin: number;
  /** How long after an EXIT a signature can still match (ms). */
  windowMs: number;
}

export interface GalleryEntry {
  visitorId: string;
  signature: Float32Array;
  exitMs: number;
}

export type MatchResult =
  | { matched: true; visitorId: string; best: number; second: number | null }
  | { matched: false; reason: 'no-candidates' | 'below-threshold' | 'ambiguous' | 'no-signature'; best: number | null; second: number | null };

/** Mean of L2-normalised embeddings, re-normalised: one signature per track. */
export function signatureOf(embeddings: readonly Float32Array[]): Float32Array | null {
  if (embeddings.length === 0) return null;
  const s = new Float32Array(embeddings[0]!.length);
  for (const e of embeddings) for (let i = 0; i < s.length; i++) s[i] = s[i]! + e[i]!;
  return l2normalise(s);
}

export function createGallery(cfg: MatchConfig) {
  let entries: GalleryEntry[] = [];
  const prune = (nowMs: number) => {
    entries = entries.filter((e) => nowMs - e.exitMs <= cfg.windowMs);
  };
  return {
    add(entry: GalleryEntry): void {
      entries = entries.filter((e) => e.visitorId !== entry.visitorId);
      entries.push(entry);
    },
    /** Decides whether `signature` (a new entrant at `nowMs`) is one of the visitors who went out. */
    match(signature: Float32Array | null, nowMs: number): MatchResult {
      prune(nowMs);
      if (!signature) return { matched: false, reason: 'no-signature', best: null, second: null };
      if (entries.length === 0) return { matched: false, reason: 'no-candidates', best: null, second: null };
      const scored = entries.map((e) => ({ e, sim: dot(signature, e.signature) })).sort((a, b) => b.sim - a.sim);
      const best = scored[0]!;
      const second = scored[1]?.sim ?? null;
      if (best.sim < cfg.threshold) return { matched: false, reason: 'below-threshold', best: best.sim, second };
      const rival = second ?? cfg.threshold - cfg.margin / 2;
      if (best.sim - rival < cfg.margin) return { matched: false, reason: 'ambiguous', best: best.sim, second };
      entries = entries.filter((e) => e !== best.e);
      return { matched: true, visitorId: best.e.visitorId, best: best.sim, second };
    },
    /** Drops a visitor's signature (they came back on the same track, or are known to be inside). */
    remove(visitorId: string): void {
      entries = entries.filter((e) => e.visitorId !== visitorId);
    },
    get size(): number {
      return entries.length;
    },
  };
}
export type Gallery = ReturnType<typeof createGallery>;
