/**
 * The behaviour layer: tracked people in, the eight retail events out. Pure apart from the injected re-id
 * embedder: time comes only from frame timestamps, ids from the injected factory. The per-track parts (doors,
 * zones, queues, staff, anchors, re-id crops) are registered once in `parts` (track-part.ts), so an id switch
 * or a track's end reaches every one of them.
 *
 * onFrame is async because the OSNet embedder runs on onnxruntime-node, whose `run` is async; everything else is
 * synchronous, and every pixel read happens before the first await, so Frame.rgb is only used during the call.
 * Calls must not overlap (await each one); an overlapping call throws.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors.js';
import { EVENT_TYPES, type EventType, type StoreEvent } from '../../common/event.js';
import type { StoreLayout } from '../../common/layout.js';
import { silentLogger } from '../../common/logger.js';
import { anchorOf, type TrackedFrame } from '../types.js';
import { createAnchorSmoother } from './anchor-smoother.js';
import { createAnchorEstimator } from './anchors.js';
import { createDoorLines, sideOf } from './door-line.js';
import { buildEvent, sortDrafts, type DraftEvent, type EventContext } from './events.js';
import { parseTuning, reidDefaults, resolveCamera, type BehaviourOptions } from './options.js';
import { createBillingQueues, isBilling } from './queue.js';
import { createHistogramEmbedder } from './reid/histogram.js';
import { pickRelink } from './relink.js';
import { createStaffVote, torsoMatchFraction, TORSO_MATCH_FRACTION } from './staff.js';
import { createReentry } from './reentry.js';
import { createTrackParts } from './track-part.js';
import { createTrackBook, takeOver, type TrackState } from './track-state.js';
import { createGrouper, createVisitorBook } from './visitors.js';
import { createZoneTracker, type ZoneTransition } from './zones.js';

export type { BehaviourOptions, BehaviourTuning } from './options.js';
export type { ReidEmbedder, Crop } from './reid/types.js';

export interface BehaviourStats {
  frames: number;
  tracksSeen: number;
  visitors: number;
  events: Record<EventType, number>;
  reidBackend: string;
  reidDecisions: { reentry: number; newVisitor: number };
  /** New track ids that took over a lost one (tracker id switches absorbed). */
  relinks: number;
  /** Events waiting for a staff vote or re-id decision. */
  held: number;
  /** Track ids each per-track part keeps state for (a count that never falls back is a leak). */
  trackParts: Record<string, number>;
}

export interface Behaviour {
  onFrame(f: TrackedFrame): Promise<StoreEvent[]>;
  /** End of input: settles held events. People still in view have not left, so no EXIT/ZONE_EXIT is invented. */
  flush(endMs: number): Promise<StoreEvent[]>;
  /** People (not staff) currently in this camera's billing zones, for the heartbeat. */
  queueDepth(): number;
  stats(): BehaviourStats;
  /**
   * A new layout for this store (a calibration pushed by the hub): it takes effect at the start of the next
   * onFrame, between frames, keeping open tracks, visits and zone stays (zones.ts setZones, door-line.ts
   * setLines). Throws CONFIG_INVALID, keeping the current layout, when it is another store's or lacks this camera.
   */
  applyLayout(store: StoreLayout): void;
}

export function createBehaviour(opts: BehaviourOptions): Behaviour {
  let store = opts.store;
  let camera = resolveCamera(store, opts.cameraId);
  const tuning = parseTuning(opts.tuning, opts.fps);
  const logger = (opts.logger ?? silentLogger()).child({ stage: 'behaviour', camera_id: camera.camera_id });
  const newId = opts.newId ?? randomUUID;
  let hasDoors = camera.door_lines.length > 0;
  const reid = opts.reid ?? createHistogramEmbedder();
  const reidCfg = { ...reidDefaults(reid.name), ...defined({ threshold: tuning.reidThreshold, margin: tuning.reidMargin }) };
  if (hasDoors && !opts.reid) logger.warn('no re-id model configured: re-entry falls back to colour histograms (weaker, near-never matches)');
  logger.info({ door_lines: camera.door_lines.length, zones: camera.zones.length, reid: reid.name, ...reidCfg }, 'behaviour ready');

  let zoneInfo = new Map(store.zones.map((z) => [z.zone_id, z]));
  let pending: StoreLayout | null = null;
  const ctx: EventContext = { storeId: opts.store.store_id, cameraId: camera.camera_id, newId };
  const doors = createDoorLines(camera.door_lines);
  const zones = createZoneTracker(camera.zones, opts.fps);
  const queues = createBillingQueues();
  const staff = createStaffVote(store.staff, { holdMs: tuning.staffHoldMs, settleSamples: tuning.staffSettleSamples });
  const visitors = createVisitorBook(newId);
  const reentry = createReentry({ reid, match: reidCfg, tuning, visitors, logger });
  const grouper = createGrouper({ windowMs: tuning.groupWindowMs, maxDistance: tuning.groupMaxDistance }, newId);
  const tracks = createTrackBook();
  const anchors = createAnchorEstimator();
  const steady = createAnchorSmoother(tuning.zoneAnchorWindowMs);
  const parts = createTrackParts({ doors, zones, queues, staff, anchors, zoneAnchors: steady, reid: reentry });
  const relinkCfg = { windowMs: tuning.relinkWindowMs, maxDistance: tuning.relinkMaxDistance };
  const counts = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  let relinks = 0;
  let frames = 0;
  let busy = false;

  const draft = (s: TrackState, type: EventType, atMs: number, extra: Partial<DraftEvent> = {}): void => {
    s.held.push({ type, atMs, zoneId: null, dwellMs: 0, confidence: s.score, queueDepth: null, skuZone: null, ...extra });
  };
  const zoneDraft = (s: TrackState, type: EventType, zoneId: string, atMs: number, dwellMs: number, queueDepth: number | null = null) =>
    draft(s, type, atMs, { zoneId, dwellMs, queueDepth, skuZone: zoneInfo.get(zoneId)?.sku_zone ?? null });

  const customersIn = (zoneId: string) =>
    zones.occupants(zoneId).filter((id) => {
      const s = tracks.get(id);
      return s && !s.isStaff && s.parkedUntilMs === null;
    }).length;

  /**
   * Zones count only people in the store: not after their EXIT, nor before the ENTRY of someone seen coming in,
   * so a zone drawn up to the door (a counter by the entrance) never has a visit outside the store's visit.
   */
  const inStore = (s: TrackState) => s.presence === 'inside' || (s.presence === 'unknown' && !doors.firstSeenOutside(s.trackId));

  /** A new track that starts where exactly one lost/removed track was last seen takes over its person (relink.ts). */
  function tryRelink(s: TrackState, anchor: [number, number], nowMs: number): void {
    if (camera.door_lines.some((l) => sideOf(l, anchor) === 'outside')) return;
    const candidates = tracks
      .all()
      .filter((o) => o !== s && !o.superseded && (o.lost || o.parkedUntilMs !== null) && o.presence !== 'outside' && o.lastAnchor)
      .map((o) => ({ trackId: o.trackId, anchor: o.lastAnchor!, lastTrackedMs: o.lastTrackedMs }));
    const id = pickRelink(candidates, anchor, nowMs, relinkCfg);
    if (id === null) return;
    const old = tracks.get(id)!;
    takeOver(old, s);
    parts.rename(id, s.trackId);
    if (old.parkedUntilMs !== null) forgetTrack(id);
    relinks++;
    logger.info({ from_track: id, to_track: s.trackId, visitor_id: s.visitorId }, 'relinked track after an id switch');
  }

  function forgetTrack(id: number): void {
    tracks.remove(id);
    parts.forget(id);
  }

  /** A parked track nobody took over: the person has gone from view; close their zones now. */
  async function closeParked(s: TrackState, nowMs: number, out: StoreEvent[]): Promise<void> {
    for (const z of zones.close(s.trackId)) onZone(s, z);
    await release(s, nowMs, true, out);
    forgetTrack(s.trackId);
  }

  async function decideEntry(s: TrackState): Promise<void> {
    const entry = s.entry!;
    const d = await reentry.decide(s);
    s.entry = null;
    s.visitorId = d.visitorId;
    s.group = entry.group;
    draft(s, d.type, entry.atMs, { confidence: entry.confidence });
  }

  async function exitVisitor(s: TrackState, atMs: number): Promise<void> {
    if (s.entry) await decideEntry(s);
    s.visitorId ??= visitors.create();
    s.presence = 'outside';
    // Out of the store means out of every zone: close them first so ZONE_EXIT never follows EXIT.
    for (const z of zones.close(s.trackId)) onZone(s, z);
    draft(s, 'EXIT', atMs);
    await reentry.recordExit(s.trackId, s.visitorId, atMs);
  }

  function onZone(s: TrackState, t: ZoneTransition): void {
    const zone = camera.zones.find((z) => z.zone_id === t.zoneId)!;
    if (t.kind === 'enter') {
      zoneDraft(s, 'ZONE_ENTER', t.zoneId, t.atMs, 0);
      if (zoneInfo.get(t.zoneId)?.type === 'staff_only') {
        staff.markStaffZone(s.trackId);
        if (s.staffSettled) s.isStaff = true;
      }
    } else if (t.kind === 'dwell') {
      zoneDraft(s, 'ZONE_DWELL', t.zoneId, t.atMs, t.dwellMs);
    } else {
      const left = queues.leftZone(s.trackId, zone, t.atMs, t.dwellMs);
      const served = left.find((q) => q.kind === 'served');
      zoneDraft(s, 'ZONE_EXIT', t.zoneId, t.atMs, t.dwellMs);
      if (served) s.held[s.held.length - 1]!.extra = { queue_wait_ms: served.waitMs };
      for (const q of left) if (q.kind === 'abandon') zoneDraft(s, 'BILLING_QUEUE_ABANDON', q.zoneId, q.atMs, q.dwellMs);
    }
  }

  /** Releases a track's held events once its staff vote and any pending entry decision have settled. */
  async function release(s: TrackState, nowMs: number, force: boolean, out: StoreEvent[]): Promise<void> {
    if (!s.staffSettled) {
      if (!force && !staff.settled(s.trackId, nowMs) && nowMs - s.firstMs < tuning.staffHoldMs) return;
      s.staffSettled = true;
      s.isStaff = staff.verdict(s.trackId);
    }
    if (s.entry) {
      if (!force && !reentry.entryDue(s, nowMs)) return;
      await decideEntry(s);
    }
    if (s.held.length === 0) return;
    s.visitorId ??= visitors.create();
    const held = sortDrafts(s.held);
    s.held = [];
    for (const d of held) {
      const groupId = (d.type === 'ENTRY' || d.type === 'REENTRY') && s.group?.id ? { group_id: s.group.id } : undefined;
      out.push(buildEvent(ctx, { ...d, extra: { ...d.extra, ...groupId } }, s.visitorId, visitors.nextSeq(s.visitorId), s.isStaff));
      counts[d.type]++;
    }
  }

  /** Swaps the pending layout in; a removed zone's open stays become ZONE_EXIT drafts (released as usual). */
  function switchLayout(next: StoreLayout, nowMs: number): void {
    const nextCamera = resolveCamera(next, camera.camera_id);
    // Exits are drafted while the old zone list and names still resolve the zone (queue abandon, sku_zone).
    for (const { trackId, transition } of zones.setZones(nextCamera.zones)) {
      const s = tracks.get(trackId);
      if (s) onZone(s, transition);
    }
    doors.setLines(nextCamera.door_lines, (id) => tracks.get(id)?.lastAnchor ?? null);
    store = next;
    camera = nextCamera;
    hasDoors = camera.door_lines.length > 0;
    zoneInfo = new Map(store.zones.map((z) => [z.zone_id, z]));
    logger.info({ event: 'layout_applied', frame_ts: nowMs, door_lines: camera.door_lines.length, zones: camera.zones.length }, 'new layout applied between frames');
  }

  async function step(f: TrackedFrame): Promise<StoreEvent[]> {
    const now = f.frame.timestampMs;
    if (pending) {
      switchLayout(pending, now);
      pending = null;
    }
    const { sourceWidth: w, sourceHeight: h } = f.frame;
    frames++;
    const observed = f.tracks
      .map((t) => ({ t, isNew: !tracks.has(t.trackId), s: tracks.touch(t.trackId, now), tracked: f.inferred && t.state === 'tracked' }))
      .filter((o) => !o.s.superseded);

    // Pixel phase: everything that reads Frame.rgb, before any await.
    for (const { t, s, tracked } of observed) {
      if (!tracked) continue;
      if (!s.staffSettled) {
        const fraction = torsoMatchFraction(f.frame, t.box, store.staff);
        if (fraction !== null) staff.sample(t.trackId, fraction >= TORSO_MATCH_FRACTION, now);
      }
      if (hasDoors) reentry.offerCrop(f.frame, t, f.tracks, now);
    }

    const out: StoreEvent[] = [];
    for (const { t, s, tracked, isNew } of observed) {
      if (isNew && tracked) tryRelink(s, anchorOf(t.box, w, h), now);
      const anchor = anchors.anchor(t.trackId, t.box, w, h, tracked);
      s.lost = !tracked;
      if (!tracked) {
        doors.observe(t.trackId, anchor, false);
        continue;
      }
      s.score = t.score;
      s.lastTrackedMs = now;
      s.lastAnchor = anchor;
      for (const c of doors.observe(t.trackId, anchor, true)) {
        if (c.to === 'inside' && s.presence !== 'inside') {
          if (s.presence === 'outside' && s.visitorId) {
            // Same track back in: the tracker kept the identity, no appearance matching needed.
            reentry.returned(s.visitorId);
            draft(s, 'REENTRY', now);
          } else {
            s.entry = { atMs: now, confidence: t.score, group: grouper.onEntry(now, anchor) };
          }
          s.presence = 'inside';
        } else if (c.to === 'outside' && s.presence !== 'outside') {
          await exitVisitor(s, now);
        }
      }
      // Zones judge the steadied anchor (anchor-smoother.ts); door lines and relinks the raw one.
      const zoneAnchor = steady.smooth(t.trackId, anchor, now);
      if (!inStore(s)) continue;
      for (const z of zones.observe(t.trackId, zoneAnchor, now)) onZone(s, z);
      for (const stay of zones.stays(t.trackId)) {
        if (!stay.inside || !isBilling(zoneInfo.get(stay.zone.zone_id)?.type)) continue;
        for (const q of queues.inZone(t.trackId, stay.zone, zoneAnchor, stay.enteredMs, now)) {
          if (q.kind === 'join') zoneDraft(s, 'BILLING_QUEUE_JOIN', q.zoneId, q.atMs, q.dwellMs, s.isStaff ? null : customersIn(q.zoneId));
        }
      }
    }

    for (const id of f.removed) {
      const s = tracks.get(id);
      if (!s || s.superseded) {
        forgetTrack(id);
        continue;
      }
      if (s.presence === 'inside' && doors.coastedOutside(id)) {
        await exitVisitor(s, s.lastTrackedMs);
        await release(s, now, true, out);
        forgetTrack(id);
        continue;
      }
      // Gone without leaving through a door: park it (zones open) in case a new id picks the person up.
      await release(s, now, true, out);
      s.parkedUntilMs = s.lastTrackedMs + tuning.relinkWindowMs;
    }
    for (const s of tracks.all()) {
      if (s.parkedUntilMs !== null && now >= s.parkedUntilMs) await closeParked(s, now, out);
      else await release(s, now, false, out);
    }
    return out;
  }

  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (busy) throw new AppError('INTERNAL', 'behaviour: onFrame/flush called before the previous call resolved (await each call)');
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  return {
    onFrame: (f) => exclusive(() => step(f)),
    flush: (endMs) =>
      exclusive(async () => {
        const out: StoreEvent[] = [];
        for (const s of tracks.all()) {
          if (s.parkedUntilMs !== null) await closeParked(s, endMs, out);
          else await release(s, endMs, true, out);
        }
        return out;
      }),
    queueDepth() {
      let n = 0;
      for (const z of camera.zones) if (isBilling(zoneInfo.get(z.zone_id)?.type)) n += customersIn(z.zone_id);
      return n;
    },
    applyLayout(next) {
      if (next.store_id !== store.store_id) {
        throw new AppError('CONFIG_INVALID', `layout of store ${next.store_id} pushed to an agent of store ${store.store_id}`);
      }
      resolveCamera(next, camera.camera_id);
      pending = next;
    },
    stats: () => ({
      frames,
      tracksSeen: tracks.seen,
      visitors: visitors.count,
      events: { ...counts },
      reidBackend: reid.name,
      reidDecisions: { ...reentry.decisions },
      relinks,
      held: tracks.all().reduce((n, s) => n + s.held.length, 0),
      trackParts: parts.held(),
    }),
  };
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
