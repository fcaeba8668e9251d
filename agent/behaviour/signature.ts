/**
 * Appearance signatures for store-level identity: when a track ends, the averaged, L2-normalised embedding of its
 * best crops (the re-entry crops, reid/crops.ts) with its camera, times, door crossings and zones, for the hub to
 * link the same person across cameras (common/signature.ts). The crops never leave the agent; only the vector does.
 * A track part: its door and zone context follows id switches and is dropped when the track ends.
 */
import type { Signature } from '../../common/signature.js';
import { signatureOf } from './reid/matcher.js';
import type { Crop, ReidEmbedder } from './reid/types.js';
import type { TrackPart } from './track-part.js';
import type { TrackState } from './track-state.js';

interface Context {
  enteredMs: number | null;
  exitedMs: number | null;
  zones: Set<string>;
}

export function createSignatureBook(o: { storeId: string; cameraId: string; entranceCamera: boolean; reid: ReidEmbedder; newId: () => string }) {
  const ctx = new Map<number, Context>();
  const of = (id: number) => {
    let c = ctx.get(id);
    if (!c) ctx.set(id, (c = { enteredMs: null, exitedMs: null, zones: new Set() }));
    return c;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const part: TrackPart = {
    rename(from, to) {
      const c = ctx.get(from);
      if (!c) return;
      ctx.delete(from);
      const t = of(to);
      t.enteredMs ??= c.enteredMs;
      t.exitedMs ??= c.exitedMs;
      for (const z of c.zones) t.zones.add(z);
    },
    forget: (id) => void ctx.delete(id),
    heldTracks: () => ctx.size,
  };
  return {
    part,
    entered: (trackId: number, atMs: number) => void (of(trackId).enteredMs ??= atMs),
    exited: (trackId: number, atMs: number) => void (of(trackId).exitedMs = atMs),
    zone: (trackId: number, zoneId: string) => void of(trackId).zones.add(zoneId),
    /** The signature of an ending track, or null when it has no usable crop or no visitor id. */
    async build(s: TrackState, crops: readonly Crop[]): Promise<Signature | null> {
      if (!s.visitorId || crops.length === 0) return null;
      const v = signatureOf(await o.reid.embed(crops));
      if (!v) return null;
      const c = ctx.get(s.trackId);
      return {
        signature_id: o.newId(),
        store_id: o.storeId,
        camera_id: o.cameraId,
        visitor_id: s.visitorId,
        model: o.reid.name,
        embedding: Array.from(v, (x) => Math.round(x * 1e6) / 1e6),
        crops: crops.length,
        first_seen: iso(s.firstMs),
        last_seen: iso(Math.max(s.firstMs, s.lastTrackedMs)),
        entered_at: c?.enteredMs != null ? iso(c.enteredMs) : null,
        exited_at: c?.exitedMs != null ? iso(c.exitedMs) : null,
        entrance_camera: o.entranceCamera,
        zones: [...(c?.zones ?? [])].sort().slice(0, 64),
        is_staff: s.isStaff,
      };
    },
  };
}
