import type { StoreLayout } from '../../common/layout.js';
import { detectConversionDrop, type HourConversion } from '../analytics/anomalies/conversion-drop.js';
import { detectDeadZones } from '../analytics/anomalies/dead-zone.js';
import { detectQueueSpikes } from '../analytics/anomalies/queue-spike.js';
import { detectStaleFeeds, type CameraSeen } from '../analytics/anomalies/stale-feed.js';
import type { Anomaly, AnomalyThresholds } from '../analytics/anomalies/types.js';
import { conversionOf } from '../analytics/metrics.js';
import { COUNTED } from '../analytics/store-conversion.js';
import { DAY_MS, HOUR_MS, resolveWindow } from '../analytics/window.js';
import type { AnalyticsRepository } from '../store/analytics-repository.js';
import type { CameraRepository } from '../store/camera-repository.js';
import { guardDb } from '../store/db.js';
import type { PosRepository } from '../store/pos-repository.js';
import type { VisitorLinkRepository } from '../store/visitor-link-repository.js';
import { createConversionReader, zoneSets } from './conversion-reader.js';
import type { LayoutService } from './layout-service.js';
import type { WindowInput } from './metrics-service.js';

/**
 * How far back a camera's last event is looked for, in multiples of STALE_FEED_MINUTES (at least an hour): past
 * three times the threshold a feed is critical anyway, and a shorter scan keeps the endpoint fast. A camera that
 * sends heartbeats still gets its real last_seen from them.
 */
const CAMERA_LOOKBACK_FACTOR = 3;

/**
 * GET /stores/:id/anomalies. Rules are evaluated up to `at` = min(to, now): queue spikes and dead zones over the
 * whole window, conversion drop for the hour before `at`, stale feeds at `at`. One detector per rule
 * (hub/analytics/anomalies/), each pure; this service only fetches their inputs.
 */
export function createAnomalyService(deps: {
  analytics: AnalyticsRepository;
  pos: PosRepository;
  cameras: CameraRepository;
  layouts: LayoutService;
  /** Cross-camera links, so an hour's conversion counts a linked pair once (as the metrics do). */
  links?: VisitorLinkRepository;
  thresholds: AnomalyThresholds;
  clock?: () => number;
}) {
  const clock = deps.clock ?? Date.now;
  const repo = deps.analytics;
  const t = deps.thresholds;
  const reader = createConversionReader(deps);

  async function hourConversion(storeId: string, layout: StoreLayout, from: number): Promise<HourConversion> {
    const conv = conversionOf(await reader.conversionFacts(storeId, layout, { from, to: from + HOUR_MS }));
    const purchased = conv.purchases.filter((p) => COUNTED.has(p.count)).length;
    return { from, visitors: conv.entered.size, purchased };
  }

  async function cameraSeen(storeId: string, layout: StoreLayout, at: number): Promise<CameraSeen[]> {
    const lookback = Math.max(HOUR_MS, CAMERA_LOOKBACK_FACTOR * t.staleFeedMinutes * 60_000);
    const [events, status] = await Promise.all([repo.cameraLastEvent(storeId, at - lookback, at), deps.cameras.list(storeId)]);
    const ids = new Set([...layout.cameras.map((c) => c.camera_id), ...status.map((s) => s.camera_id), ...events.keys()]);
    const beats = new Map(status.map((s) => [s.camera_id, Number(s.last_heartbeat)]));
    return [...ids].sort().map((camera_id) => {
      const seen = [events.get(camera_id), beats.get(camera_id)].filter((x): x is number => x !== undefined && x <= at);
      return { camera_id, last_seen: seen.length ? Math.max(...seen) : null };
    });
  }

  return {
    async anomalies(storeId: string, input: WindowInput = {}): Promise<Anomaly[]> {
      const layout = deps.layouts.require(storeId);
      const w = resolveWindow(input, layout.timezone, clock());
      const at = Math.min(w.to, clock());
      if (at <= w.from) return [];
      const observed = new Set(layout.cameras.flatMap((c) => c.zones.map((z) => z.zone_id)));
      const deadCandidates = layout.zones.filter((z) => z.type !== 'staff_only' && observed.has(z.zone_id));
      const zones = zoneSets(layout);
      const found = await guardDb(async () => {
        const [queue, visitors, presence, cameras, last, ...days] = await Promise.all([
          repo.queueSamples(storeId, w.from - HOUR_MS, at, zones.billing),
          repo.visitorFacts(storeId, w.from, at, zones),
          repo.zonePresence(storeId, w.from, at, t.deadZoneMinutes * 60_000),
          cameraSeen(storeId, layout, at),
          hourConversion(storeId, layout, at - HOUR_MS),
          ...[1, 2, 3, 4, 5, 6, 7].map((d) => hourConversion(storeId, layout, at - HOUR_MS - d * DAY_MS)),
        ]);
        const entries = visitors.flatMap((v) => (v.first_in === null ? [] : [v.first_in])).sort((a, b) => a - b);
        return [
          ...detectQueueSpikes(queue, w.from, at, t),
          ...detectConversionDrop(last, days, at, t),
          ...detectDeadZones(deadCandidates, presence, entries, at, t),
          ...detectStaleFeeds(cameras, at, t),
        ];
      });
      return found.sort((a, b) => a.detected_at.localeCompare(b.detected_at) || a.type.localeCompare(b.type));
    },
  };
}
export type AnomalyService = ReturnType<typeof createAnomalyService>;
