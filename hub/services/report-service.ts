import { AppError } from '../../common/errors.js';
import { dayBuckets, toReportCsv } from '../analytics/report-csv.js';
import type { StoreMetrics } from '../analytics/metrics.js';
import type { LayoutService } from './layout-service.js';
import type { MetricsService, WindowInput } from './metrics-service.js';

export const REPORT_INTERVALS = ['hour', 'day'] as const;
export type ReportInterval = (typeof REPORT_INTERVALS)[number];

/**
 * The CSV export. Its rows are the JSON endpoints' own answers, so the two can never disagree: `hour` rows are
 * GET /stores/:id/metrics/hourly for the same window, `day` rows are GET /stores/:id/metrics for each local day
 * of it (computed one day at a time, as that endpoint would; the longest window, 400 days, is 400 one-day reads:
 * seconds, bounded by MAX_WINDOW_MS).
 */
export function createReportService(deps: { metrics: MetricsService; layouts: LayoutService }) {
  return {
    async report(storeId: string, input: WindowInput, interval: ReportInterval): Promise<{ csv: string; filename: string }> {
      if (!REPORT_INTERVALS.includes(interval)) {
        throw new AppError('INVALID_QUERY', `interval: must be one of ${REPORT_INTERVALS.join(', ')}`, { field: 'interval' });
      }
      const tz = deps.layouts.require(storeId).timezone;
      const w = deps.metrics.window(storeId, input);
      let rows: StoreMetrics[];
      if (interval === 'hour') {
        rows = (await deps.metrics.hourly(storeId, { from: w.from, to: w.to })).hours;
      } else {
        rows = [];
        for (const d of dayBuckets(w, tz)) rows.push(await deps.metrics.metrics(storeId, { from: d.from, to: d.to }));
      }
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      return { csv: toReportCsv(rows, tz), filename: `${storeId}_${day(w.from)}_${day(w.to)}_${interval}.csv` };
    },
  };
}
export type ReportService = ReturnType<typeof createReportService>;
