import { iso } from '../window.js';
import { MINUTE_MS, type Anomaly, type AnomalyThresholds } from './types.js';

/** A camera's last sign of life: newest event or heartbeat at or before the evaluation instant; null = none seen. */
export interface CameraSeen {
  camera_id: string;
  last_seen: number | null;
}

/**
 * STALE_FEED: a camera of the layout (or one that has reported before) silent — no event and no heartbeat —
 * for `staleFeedMinutes` at `at`. Critical past three times the threshold or when never seen.
 */
export function detectStaleFeeds(cameras: readonly CameraSeen[], at: number, t: AnomalyThresholds): Anomaly[] {
  if (t.staleFeedMinutes <= 0) return [];
  const limit = t.staleFeedMinutes * MINUTE_MS;
  const out: Anomaly[] = [];
  for (const c of cameras) {
    const silent = c.last_seen === null ? null : at - c.last_seen;
    if (silent !== null && silent < limit) continue;
    out.push({
      type: 'STALE_FEED',
      severity: silent === null || silent >= 3 * limit ? 'critical' : 'warning',
      camera_id: c.camera_id,
      detected_at: iso(c.last_seen === null ? at : c.last_seen + limit),
      details: {
        last_seen: c.last_seen === null ? null : iso(c.last_seen),
        silent_minutes: silent === null ? null : Math.round(silent / MINUTE_MS),
        threshold_minutes: t.staleFeedMinutes,
      },
    });
  }
  return out;
}
