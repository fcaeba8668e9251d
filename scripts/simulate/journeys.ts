/**
 * Visitor and staff behaviour of one simulated store, as a discrete-event model: arrivals are a
 * non-homogeneous Poisson process (two peaks a day), buying units browse 1–3 aisles, then either queue at the
 * single till (FIFO; a customer whose wait would exceed an exponential patience abandons) or leave; some come
 * back within minutes (REENTRY). Zone events follow the agent's rules (agent/behaviour/): ZONE_DWELL after 10 s
 * then every 30 s, BILLING_QUEUE_JOIN after 5 s in the billing zone, ABANDON when leaving it unserved.
 * Queue actions run in time order off the agenda, so the till sees customers in the order they reach it.
 */
import type { EventType } from '../../common/event.js';
import type { Rng } from './prng.js';
import type { SimConfig, StorePlan, ZonePlan } from './config.js';

const S = 1000;
const MIN = 60 * S;
/** Zone timing defaults of common/layout.ts (cameraZoneSchema). */
const DWELL_FIRST_MS = 10 * S;
const DWELL_REPEAT_MS = 30 * S;
const JOIN_MS = 5 * S;

export interface DraftEvent {
  visitorId: string;
  cameraId: string;
  type: EventType;
  zoneId: string | null;
  dwellMs: number;
  isStaff: boolean;
  confidence: number;
  queueDepth: number | null;
  skuZone: string | null;
  extra?: Record<string, string>;
}

export interface PosDraft {
  basketValueInr: number;
}

/** What the behaviour model may do: schedule work, emit events and POS rows, count the truth. */
export interface Agenda {
  at(t: number, action: () => void): void;
  emit(t: number, draft: DraftEvent): void;
  pos(t: number, draft: PosDraft): void;
  count(key: 'visitors' | 'staff' | 'groups' | 'buyers' | 'repeat_purchases' | 'abandons', n?: number): void;
}

interface Member {
  id: string;
  reentered: boolean;
  /** Has paid once already: a second purchase after a re-entry does not make a second buyer. */
  bought: boolean;
}

/** Arrival intensity over the window, normalised to mean ≈ 1: a late-morning and an evening peak. */
export function arrivalProfile(fraction: number): number {
  const bump = (c: number, w: number, h: number) => h * Math.exp(-(((fraction - c) / w) ** 2));
  return (0.5 + bump(0.3, 0.12, 1.0) + bump(0.75, 0.1, 0.8)) / 0.8545;
}
const PROFILE_MAX = 2;

export function startStore(config: SimConfig, plan: StorePlan, rng: Rng, agenda: Agenda): void {
  const start = config.startMs;
  const end = start + config.hours * 60 * MIN;
  const till = { freeAt: start };
  let queue: { joinAt: number; leaveAt: number }[] = [];
  const conf = () => rng.uniform(0.72, 0.99);
  const visitorId = () => `VIS_${rng.hex(8)}`;
  const walk = (lo: number, hi: number) => rng.uniform(lo * S, hi * S);
  const ev = (t: number, m: string, cameraId: string, type: EventType, rest: Partial<DraftEvent> = {}) =>
    agenda.emit(t, { visitorId: m, cameraId, type, zoneId: null, dwellMs: 0, isStaff: false, confidence: conf(), queueDepth: null, skuZone: null, ...rest });

  /** ZONE_ENTER, ZONE_DWELL ticks, ZONE_EXIT of one stay; queue events are added by the caller. */
  const stay = (id: string, zone: ZonePlan, from: number, length: number, isStaff = false) => {
    const z = { zoneId: zone.zoneId, skuZone: zone.skuZone, isStaff };
    ev(from, id, zone.cameraId, 'ZONE_ENTER', z);
    for (let d = DWELL_FIRST_MS; d < length; d += DWELL_REPEAT_MS) ev(from + d, id, zone.cameraId, 'ZONE_DWELL', { ...z, dwellMs: d });
    ev(from + length, id, zone.cameraId, 'ZONE_EXIT', { ...z, dwellMs: Math.round(length) });
  };

  /** Browses `k` distinct aisles together; returns when the unit is done. */
  const browse = (members: Member[], from: number, k: number) => {
    const aisles = [...plan.aisles];
    let t = from;
    for (let i = 0; i < k && aisles.length > 0; i++) {
      const zone = aisles.splice(rng.int(0, aisles.length - 1), 1)[0]!;
      const length = Math.min(20 * MIN, Math.max(3 * S, rng.logNormal(45 * S, 0.8)));
      for (const m of members) stay(m.id, zone, t + rng.uniform(0, 2 * S), length + rng.uniform(0, 3 * S));
      t += length + 3 * S + walk(5, 30);
    }
    return t;
  };

  const leave = (members: Member[], t: number) => {
    for (const m of members) {
      const exitAt = t + rng.uniform(0, 3 * S);
      ev(exitAt, m.id, plan.entryCamera, 'EXIT');
      if (!m.reentered && rng.chance(config.reentryProbability)) {
        const back = exitAt + rng.uniform(2 * MIN, 15 * MIN);
        agenda.at(back, () => reenter(m, back));
      }
    }
  };

  /** The payer queues at the till (actions run in arrival order at the counter); companions wait, then all leave. */
  const checkout = (members: Member[], tb: number) => {
    const payer = members[0]!;
    const serviceStart = Math.max(tb + walk(2, 8), till.freeAt);
    const patience = rng.exp(config.patienceMeanS * S);
    const served = serviceStart - tb <= patience;
    let leaveAt: number;
    if (served) {
      const service = Math.min(10 * MIN, Math.max(15 * S, rng.logNormal(config.serviceMedianS * S, 0.4)));
      till.freeAt = serviceStart + service;
      agenda.pos(till.freeAt - rng.uniform(0, 5 * S), { basketValueInr: Math.round(Math.min(50_000, rng.logNormal(1200, 0.7)) * 100) / 100 });
      agenda.count(payer.bought ? 'repeat_purchases' : 'buyers');
      payer.bought = true;
      leaveAt = till.freeAt + walk(2, 6);
    } else {
      leaveAt = tb + patience;
    }
    const length = leaveAt - tb;
    stay(payer.id, plan.counter, tb, length);
    if (length >= JOIN_MS) {
      const tj = tb + JOIN_MS;
      queue = queue.filter((q) => q.leaveAt > tj);
      const depth = 1 + queue.filter((q) => q.joinAt <= tj).length;
      queue.push({ joinAt: tj, leaveAt });
      const z = { zoneId: plan.counter.zoneId, skuZone: null };
      ev(tj, payer.id, plan.counter.cameraId, 'BILLING_QUEUE_JOIN', { ...z, dwellMs: JOIN_MS, queueDepth: depth });
      if (!served) {
        ev(leaveAt, payer.id, plan.counter.cameraId, 'BILLING_QUEUE_ABANDON', { ...z, dwellMs: Math.round(length) });
        agenda.count('abandons');
      }
    }
    leave(members, leaveAt + walk(5, 20));
  };

  const unitJourney = (members: Member[], t: number, aisles: number, buys: boolean) => {
    const done = browse(members, t + walk(5, 20), aisles);
    if (buys) agenda.at(done, () => checkout(members, done));
    else leave(members, done + walk(5, 20));
  };

  function reenter(m: Member, t: number): void {
    m.reentered = true;
    ev(t, m.id, plan.entryCamera, 'REENTRY');
    unitJourney([m], t, rng.int(0, 1), rng.chance(config.buyProbability / 2));
  }

  const arrive = (t: number) => {
    const size = rng.chance(config.groupProbability) ? rng.int(2, 3) : 1;
    const groupId = size > 1 ? `GRP_${rng.hex(8)}` : null;
    const members: Member[] = [];
    for (let i = 0; i < size; i++) {
      const m = { id: visitorId(), reentered: false, bought: false };
      members.push(m);
      ev(t + i * rng.uniform(0.3 * S, 1.5 * S), m.id, plan.entryCamera, 'ENTRY', groupId ? { extra: { group_id: groupId } } : {});
    }
    agenda.count('visitors', size);
    if (groupId) agenda.count('groups');
    unitJourney(members, t, rng.int(1, Math.min(3, Math.max(1, plan.aisles.length))), rng.chance(config.buyProbability));
    scheduleArrival(t);
  };

  /** Thinning (Lewis & Shedler 1979): candidates at the peak rate, kept with probability profile/peak. */
  function scheduleArrival(from: number): void {
    const peakPerMs = (config.visitorsPerHour * PROFILE_MAX) / (60 * MIN);
    if (peakPerMs <= 0) return;
    let t = from;
    for (;;) {
      t += rng.exp(1 / peakPerMs);
      if (t >= end) return;
      if (rng.next() * PROFILE_MAX < arrivalProfile((t - start) / (end - start))) break;
    }
    agenda.at(t, () => arrive(t));
  }

  // Staff: on shift for the whole window, rounds through the aisles and the stock room.
  const rounds = [...plan.aisles, ...(plan.stockroom ? [plan.stockroom] : [])];
  for (let s = 0; s < config.staffPerStore; s++) {
    const id = visitorId();
    agenda.count('staff');
    let t = start + rng.uniform(0, 5 * MIN);
    ev(t, id, plan.entryCamera, 'ENTRY', { isStaff: true });
    for (t += walk(20, 60); rounds.length > 0 && t < end; ) {
      const length = rng.uniform(2 * MIN, 15 * MIN);
      stay(id, rng.pick(rounds), t, length, true);
      t += length + rng.uniform(1 * MIN, 10 * MIN);
    }
    ev(Math.max(t, end) + rng.uniform(0, 10 * MIN), id, plan.entryCamera, 'EXIT', { isStaff: true });
  }
  scheduleArrival(start);
}
