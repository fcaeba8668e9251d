/**
 * Billing queue: a person in a billing zone for `join_ms` has joined its queue (BILLING_QUEUE_JOIN, with the
 * queue depth); one who leaves after joining without ever reaching the zone's `service_zone` (the till) has
 * abandoned it (BILLING_QUEUE_ABANDON). Reaching the till needs `enter_frames` consecutive anchors in it, the
 * same debounce as a zone entry, so a box brushing the till polygon does not count as being served. One who
 * joined and reached the till gets a `served` transition on leaving, with the wait from the join to the first
 * frame of the till run (0 when the till came first): the zone's ZONE_EXIT carries it as `metadata.queue_wait_ms`,
 * the hub's queue-wait measurement (docs/DESIGN.md, "Store KPIs").
 */
import type { CameraZone } from '../../common/layout.js';
import { pointInPolygon } from './geometry.js';
import type { TrackPart } from './track-part.js';

/** Consecutive anchors at the till that count as being served, when the zone gives no `enter_frames`. */
const SERVICE_ANCHORS = 3;

export type QueueTransition =
  | { kind: 'join'; zoneId: string; atMs: number; dwellMs: number }
  | { kind: 'abandon'; zoneId: string; atMs: number; dwellMs: number }
  | { kind: 'served'; zoneId: string; atMs: number; waitMs: number };

interface QueueState {
  joined: boolean;
  joinedMs: number;
  served: boolean;
  serviceRun: number;
  serviceRunStartMs: number;
  servedMs: number;
}

export interface BillingQueues extends TrackPart {
  /** Called on every detector-matched anchor of a track that is inside `zone` (after the zone update). */
  inZone(trackId: number, zone: CameraZone, anchor: readonly [number, number], enteredMs: number, nowMs: number): QueueTransition[];
  /** Called when the track's stay in `zone` ends (ZONE_EXIT), with the exit time and the stay length. */
  leftZone(trackId: number, zone: CameraZone, atMs: number, dwellMs: number): QueueTransition[];
  /** Whether the track has joined the queue of `zoneId` and not left it. */
  isQueued(trackId: number, zoneId: string): boolean;
}

export function isBilling(zoneType: string | undefined): boolean {
  return zoneType === 'billing';
}

export function createBillingQueues(): BillingQueues {
  const states = new Map<string, QueueState>();
  const key = (trackId: number, zoneId: string) => `${trackId}:${zoneId}`;
  const trackOf = (k: string) => Number(k.slice(0, k.indexOf(':')));

  return {
    inZone(trackId, zone, anchor, enteredMs, nowMs) {
      const k = key(trackId, zone.zone_id);
      let s = states.get(k);
      if (!s) {
        s = { joined: false, joinedMs: 0, served: false, serviceRun: 0, serviceRunStartMs: 0, servedMs: 0 };
        states.set(k, s);
      }
      if (zone.service_zone && !s.served) {
        s.serviceRun = pointInPolygon(anchor, zone.service_zone) ? s.serviceRun + 1 : 0;
        if (s.serviceRun === 1) s.serviceRunStartMs = nowMs;
        if (s.serviceRun >= (zone.enter_frames ?? SERVICE_ANCHORS)) {
          s.served = true;
          s.servedMs = s.serviceRunStartMs;
        }
      }
      if (!s.joined && nowMs - enteredMs >= zone.join_ms) {
        s.joined = true;
        s.joinedMs = nowMs;
        return [{ kind: 'join', zoneId: zone.zone_id, atMs: nowMs, dwellMs: nowMs - enteredMs }];
      }
      return [];
    },
    leftZone(trackId, zone, atMs, dwellMs) {
      const k = key(trackId, zone.zone_id);
      const s = states.get(k);
      states.delete(k);
      // Without a service_zone there is no till to reach: leaving is the normal end of a queue, not an abandon.
      if (s?.joined && !s.served && zone.service_zone) return [{ kind: 'abandon', zoneId: zone.zone_id, atMs, dwellMs }];
      if (s?.joined && s.served) return [{ kind: 'served', zoneId: zone.zone_id, atMs, waitMs: Math.max(0, s.servedMs - s.joinedMs) }];
      return [];
    },
    rename(from, to) {
      for (const [k, s] of [...states]) {
        if (trackOf(k) !== from) continue;
        states.delete(k);
        states.set(key(to, k.slice(k.indexOf(':') + 1)), s);
      }
    },
    forget(trackId) {
      for (const k of [...states.keys()]) if (trackOf(k) === trackId) states.delete(k);
    },
    heldTracks: () => new Set([...states.keys()].map(trackOf)).size,
    isQueued(trackId, zoneId) {
      return states.get(key(trackId, zoneId))?.joined ?? false;
    },
  };
}
