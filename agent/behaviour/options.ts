/**
 * Behaviour options: what the agent passes in, the tunables with their defaults (one table, units in names),
 * validated once at construction so a bad value fails with the field named.
 */
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { describeIssues, findCamera, type CameraLayout, type StoreLayout } from '../../common/layout.js';
import type { Logger } from '../../common/logger.js';
import type { ReidEmbedder } from './reid/types.js';

export const tuningSchema = z.object({
  /** Longest a new track's events are held (ms) while the staff colour vote settles: the most it delays them. */
  staffHoldMs: z.number().int().min(0).max(10_000).default(3000),
  /** Torso samples after which the staff vote settles early. */
  staffSettleSamples: z.number().int().min(1).default(12),
  /** Longest an ENTRY waits for crops before the re-entry decision (ms after the crossing). */
  entryHoldMs: z.number().int().min(0).max(10_000).default(3000),
  /** Crops (taken since the track appeared) that let the re-entry decision happen before entryHoldMs. */
  reidMinCrops: z.number().int().min(1).default(4),
  /** Crops kept per track, and the least time between two kept crops (ms) so they differ in pose. */
  reidCropsPerTrack: z.number().int().min(1).max(32).default(6),
  reidCropGapMs: z.number().int().min(0).default(300),
  /** Re-entry window (minutes after an EXIT). */
  reentryWindowMin: z.number().min(0).default(30),
  /** Cosine similarity thresholds; default per embedder (see reidDefaults). */
  reidThreshold: z.number().min(-1).max(1).optional(),
  reidMargin: z.number().min(0).max(2).optional(),
  /** Group entry: crossings within this time (ms) and image distance (normalised) share a group_id. */
  groupWindowMs: z.number().int().min(0).default(2000),
  groupMaxDistance: z.number().min(0).max(2).default(0.25),
  /** Id-switch relink: a new track may take over one last matched this long ago (ms) and this close (normalised). */
  relinkWindowMs: z.number().int().min(0).default(6000),
  relinkMaxDistance: z.number().min(0).max(2).default(0.12),
  /** Zone anchor: median of a track's anchors over this window (ms), so a standing person's anchor stays put. */
  zoneAnchorWindowMs: z.number().int().min(0).max(5000).default(600),
});
export type BehaviourTuning = z.output<typeof tuningSchema>;

/**
 * Re-id thresholds measured on one-by-one-person-detection.mp4 (docs/drafts/agent-behaviour.md): OSNet x0.25
 * gives 0.85–0.99 between halves of one person's track and up to 0.87 between two differently-dressed-alike
 * people (both in black), so 0.90 keeps precision; colour histograms give 0.98 for that pair, so the fallback
 * needs 0.99 and is close to never matching — by design, a wrong REENTRY hides a visitor.
 */
export function reidDefaults(embedderName: string): { threshold: number; margin: number } {
  return embedderName === 'osnet' ? { threshold: 0.9, margin: 0.1 } : { threshold: 0.99, margin: 0.05 };
}

export interface BehaviourOptions {
  /** The store's validated layout (common/layout.ts). */
  store: StoreLayout;
  /** This agent's camera; must be one of store.cameras. */
  cameraId: string;
  /** Source frame rate (frames per second), for logs and stats. */
  fps: number;
  /** Appearance embedder for re-entry; without one, colour histograms are used and a warning is logged. */
  reid?: ReidEmbedder;
  /** UUID factory (event ids; visitor and group ids are derived from it). Default crypto.randomUUID. */
  newId?: () => string;
  logger?: Logger;
  tuning?: Partial<BehaviourTuning>;
}

export function resolveCamera(store: StoreLayout, cameraId: string): CameraLayout {
  const camera = findCamera(store, cameraId);
  if (!camera) {
    const known = store.cameras.map((c) => c.camera_id).join(', ') || 'none';
    throw new AppError('CONFIG_INVALID', `cameraId ${cameraId}: not a camera of store ${store.store_id} (known: ${known})`);
  }
  return camera;
}

export function parseTuning(raw: unknown, fps: number): BehaviourTuning {
  if (!Number.isFinite(fps) || fps <= 0) throw new AppError('CONFIG_INVALID', `fps: must be a positive number (got ${fps})`);
  const r = tuningSchema.safeParse(raw ?? {});
  if (!r.success) throw new AppError('CONFIG_INVALID', `behaviour tuning: ${describeIssues(r.error)}`);
  return r.data;
}
