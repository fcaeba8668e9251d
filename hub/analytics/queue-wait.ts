import type { QueueEvent } from './types.js';
import { bucketOf, type Window } from './window.js';

/** Distribution of waits in ms; null figures when there was no wait to measure. */
export interface WaitStats {
  avg: number | null;
  p50: number | null;
  p90: number | null;
  n: number;
}

export interface QueueWaits {
  /** BILLING_QUEUE_JOIN to reaching the till. */
  served: WaitStats;
  /** BILLING_QUEUE_JOIN to BILLING_QUEUE_ABANDON (left the queue without reaching the till). */
  abandoned: WaitStats;
}

/** Nearest-rank percentile of sorted values (p90 of 10 values is the 9th): always a wait that happened. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function waitStats(waits: readonly number[]): WaitStats {
  if (waits.length === 0) return { avg: null, p50: null, p90: null, n: 0 };
  const sorted = [...waits].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return { avg: Math.round(sum / sorted.length), p50: nearestRank(sorted, 50), p90: nearestRank(sorted, 90), n: sorted.length };
}

/**
 * Queue waits per bucket. Each visitor's queue in a billing zone opens at its BILLING_QUEUE_JOIN and closes at
 * the first of: the billing zone's ZONE_EXIT carrying `metadata.queue_wait_ms` (the agent saw the person reach
 * the till that long after joining: a served wait), or BILLING_QUEUE_ABANDON (an abandoned wait, join to
 * abandon). A ZONE_EXIT without the field closes nothing (the abandon that follows it does; a zone without a
 * till never yields a wait). A wait belongs to the bucket of its join; joins and outcomes both lie in the window,
 * so a queue still open at the window's end is not counted yet. `events` must be in time order.
 */
export function queueWaitsByBucket(events: readonly QueueEvent[], buckets: readonly Window[]): QueueWaits[] {
  const open = new Map<string, number>();
  const served = buckets.map((): number[] => []);
  const abandoned = buckets.map((): number[] => []);
  for (const e of events) {
    const key = `${e.visitor_id}\u0000${e.zone_id}`;
    if (e.type === 'BILLING_QUEUE_JOIN') {
      open.set(key, e.ts);
      continue;
    }
    const joined = open.get(key);
    if (joined === undefined) continue;
    const i = bucketOf(buckets, joined);
    if (e.type === 'BILLING_QUEUE_ABANDON') {
      open.delete(key);
      if (i >= 0) abandoned[i]!.push(e.ts - joined);
    } else if (e.queue_wait_ms !== null) {
      open.delete(key);
      if (i >= 0) served[i]!.push(e.queue_wait_ms);
    }
  }
  return buckets.map((_, i) => ({ served: waitStats(served[i]!), abandoned: waitStats(abandoned[i]!) }));
}
