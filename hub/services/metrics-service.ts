import type { StoreLayout } from '../../common/layout.js';
import { computeFunnel, type Funnel } from '../analytics/funnel.js';
import { computeHeatmap, type ZoneHeat } from '../analytics/heatmap.js';
import { attributeTransactions } from '../analytics/conversion.js';
import { canonicalPresences } from '../analytics/identity.js';
import { computeMetrics, conversionOf, metricsByBucket, type StoreMetrics, type WindowFacts } from '../analytics/metrics.js';
import { PURCHASE_WINDOW_MS } from '../analytics/types.js';
import { zoneConversion } from '../analytics/zone-conversion.js';
import { HOUR_MS, hourBuckets, iso, localHourStart, midnightsOf, resolveWindow, type Window } from '../analytics/window.js';
import type { AnalyticsRepository } from '../store/analytics-repository.js';
import { guardDb } from '../store/db.js';
import type { KpiRepository } from '../store/kpi-repository.js';
import type { PosRepository } from '../store/pos-repository.js';
import type { VisitorLinkRepository } from '../store/visitor-link-repository.js';
import { createConversionReader, zoneSets } from './conversion-reader.js';
import type { LayoutService } from './layout-service.js';

/** from/to as the API takes them (ISO-8601 or YYYY-MM-DD strings) or as epoch ms / Date from code. */
export interface WindowInput {
  from?: string | number | Date | undefined;
  to?: string | number | Date | undefined;
}

export type FunnelResponse = Funnel & { window: { from: string; to: string } };
export interface HeatmapResponse {
  zones: ZoneHeat[];
  window: { from: string; to: string };
}
export interface HourlyResponse {
  hours: StoreMetrics[];
  window: { from: string; to: string };
}

/** Kept here too: callers import it with the metrics. */
export { zoneSets };

export interface MetricsDeps {
  analytics: AnalyticsRepository;
  /** Door and queue events for occupancy, buying units and queue waits. */
  kpi: KpiRepository;
  pos: PosRepository;
  layouts: LayoutService;
  /** Cross-camera links; without it every id is its own visitor. */
  links?: VisitorLinkRepository;
  clock?: () => number;
}

/**
 * The store metrics for the API and the live stream alike: fetch aggregates (SQL), then compute
 * (hub/analytics). `metrics(storeId, {from, to})` returns exactly the body of GET /stores/:id/metrics.
 */
export function createMetricsService(deps: MetricsDeps) {
  const clock = deps.clock ?? Date.now;
  const { analytics: repo } = deps;

  const { linksOf, conversionFacts } = createConversionReader(deps);

  /** Everything the metric math needs; `origin` = start of the first hour bucket, null for one bucket. */
  async function gather(storeId: string, layout: StoreLayout, w: Window, origin: number | null): Promise<WindowFacts> {
    const zones = zoneSets(layout);
    const midnights = midnightsOf(w, layout.timezone);
    return guardDb(async () => {
      const [conv, queue, dwell, staff, dayDoors, queueEvents] = await Promise.all([
        conversionFacts(storeId, layout, w),
        repo.queueSamples(storeId, w.from - 5 * 60_000, w.to, zones.billing),
        repo.dwellByHour(storeId, w.from, w.to, origin),
        repo.staffByHour(storeId, w.from, w.to, origin),
        // From the day's start, one read: occupancy counts from local midnight, everything else from `from`.
        deps.kpi.doorEvents(storeId, Math.min(midnights.dayStart, w.from), w.to),
        deps.kpi.queueEvents(storeId, w.from, w.to, zones.billing),
      ]);
      const split = dayDoors.findIndex((d) => d.ts >= w.from);
      const doors = split < 0 ? [] : dayDoors.slice(split);
      const nBuckets = origin === null ? 1 : Math.ceil((w.to - origin) / HOUR_MS);
      return {
        window: w,
        at: Math.min(w.to, clock()),
        ...conv,
        queue,
        zoneDwell: Array.from({ length: nBuckets }, (_, i) => dwell.get(i) ?? { sum_ms: 0, n: 0 }),
        staffEvents: Array.from({ length: nBuckets }, (_, i) => staff.get(i) ?? 0),
        doors,
        queueEvents,
        occupancy: { before: split < 0 ? dayDoors : dayDoors.slice(0, split), resets: midnights.within },
      };
    });
  }

  function windowOf(storeId: string, input: WindowInput): { layout: StoreLayout; w: Window } {
    const layout = deps.layouts.require(storeId);
    return { layout, w: resolveWindow(input, layout.timezone, clock()) };
  }

  const windowJson = (w: Window) => ({ from: iso(w.from), to: iso(w.to) });

  return {
    /** Resolves from/to for a store (AppError NOT_FOUND / INVALID_QUERY). */
    window(storeId: string, input: WindowInput = {}): Window {
      return windowOf(storeId, input).w;
    },

    async metrics(storeId: string, input: WindowInput = {}): Promise<StoreMetrics> {
      const { layout, w } = windowOf(storeId, input);
      return computeMetrics(await gather(storeId, layout, w, null));
    },

    async hourly(storeId: string, input: WindowInput = {}): Promise<HourlyResponse> {
      const { layout, w } = windowOf(storeId, input);
      const buckets = hourBuckets(w, layout.timezone);
      const facts = await gather(storeId, layout, w, localHourStart(w.from, layout.timezone));
      return { hours: metricsByBucket(facts, buckets), window: windowJson(w) };
    },

    async funnel(storeId: string, input: WindowInput = {}): Promise<FunnelResponse> {
      const { layout, w } = windowOf(storeId, input);
      const facts = await guardDb(() => conversionFacts(storeId, layout, w));
      return { ...computeFunnel(conversionOf(facts)), window: windowJson(w) };
    },

    async heatmap(storeId: string, input: WindowInput = {}): Promise<HeatmapResponse> {
      const { layout, w } = windowOf(storeId, input);
      const zones = zoneSets(layout);
      const links = await guardDb(() => linksOf(storeId, w));
      const [stats, doors, presences, transactions] = await guardDb(() =>
        Promise.all([
          repo.zoneStats(storeId, w.from, w.to, links),
          deps.kpi.doorEvents(storeId, w.from, w.to),
          repo.billingPresences(storeId, w.from - PURCHASE_WINDOW_MS, w.to, zones.billing),
          deps.pos.list(storeId, w.from, w.to),
        ]),
      );
      // Canonical ids on both sides: zone members and purchasers are counted per person, as the metrics do.
      const conversion = zoneConversion(stats.members, doors, attributeTransactions(canonicalPresences(presences, links), transactions));
      return { zones: computeHeatmap(layout.zones, stats.visitors, stats.dwell, conversion), window: windowJson(w) };
    },
  };
}
export type MetricsService = ReturnType<typeof createMetricsService>;
