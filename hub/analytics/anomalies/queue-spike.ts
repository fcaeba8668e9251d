import type { QueueSample } from '../types.js';
import { iso } from '../window.js';
import { MINUTE_MS, type Anomaly, type AnomalyThresholds } from './types.js';

const TRAILING_MS = 60 * MINUTE_MS;
/**
 * The ratio rule alone would flag 1 person after a quiet hour averaging 0.4; below this depth a queue is not
 * a spike whatever its ratio.
 */
export const RATIO_MIN_DEPTH = 3;

/**
 * QUEUE_SPIKE: a reading at or above `queueSpikeDepth`, or at least `queueSpikeFactor` × the mean of the same
 * zone's readings in the hour before it. Consecutive spiking readings of a zone form one episode, reported once
 * at its first reading with its peak. `samples` must include the hour before `from` for the trailing mean.
 */
export function detectQueueSpikes(samples: readonly QueueSample[], from: number, at: number, t: AnomalyThresholds): Anomaly[] {
  const byZone = new Map<string, QueueSample[]>();
  for (const s of samples) {
    const key = s.zone_id ?? `camera:${s.camera_id}`;
    const list = byZone.get(key) ?? [];
    list.push(s);
    byZone.set(key, list);
  }
  const out: Anomaly[] = [];
  for (const list of byZone.values()) {
    list.sort((a, b) => a.ts - b.ts);
    let lo = 0;
    let sum = 0;
    let episode: { first: QueueSample; peak: number; mean: number; last: number } | null = null;
    const close = () => {
      if (episode) out.push(toAnomaly(episode, t));
      episode = null;
    };
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      while (lo < i && list[lo]!.ts < s.ts - TRAILING_MS) sum -= list[lo++]!.queue_depth;
      const n = i - lo;
      const trailing = n > 0 ? sum / n : null;
      sum += s.queue_depth;
      if (s.ts < from || s.ts >= at) continue;
      const spike =
        s.queue_depth >= t.queueSpikeDepth ||
        (trailing !== null && s.queue_depth >= RATIO_MIN_DEPTH && s.queue_depth >= t.queueSpikeFactor * trailing);
      if (!spike) {
        close();
        continue;
      }
      if (episode === null) episode = { first: s, peak: s.queue_depth, mean: trailing ?? 0, last: s.ts };
      else {
        episode.peak = Math.max(episode.peak, s.queue_depth);
        episode.last = s.ts;
      }
    }
    close();
  }
  return out.sort((a, b) => a.detected_at.localeCompare(b.detected_at));
}

function toAnomaly(e: { first: QueueSample; peak: number; mean: number; last: number }, t: AnomalyThresholds): Anomaly {
  return {
    type: 'QUEUE_SPIKE',
    severity: e.peak >= 2 * t.queueSpikeDepth ? 'critical' : 'warning',
    ...(e.first.zone_id ? { zone_id: e.first.zone_id } : {}),
    camera_id: e.first.camera_id,
    detected_at: iso(e.first.ts),
    details: {
      queue_depth: e.first.queue_depth,
      peak_depth: e.peak,
      trailing_hour_mean: Math.round(e.mean * 100) / 100,
      threshold_depth: t.queueSpikeDepth,
      factor: t.queueSpikeFactor,
      last_spiking_reading: iso(e.last),
    },
  };
}
