import { iso } from '../window.js';
import type { Anomaly, AnomalyThresholds } from './types.js';

/** Conversion of one hour-long window. */
export interface HourConversion {
  from: number;
  visitors: number;
  purchased: number;
}

/** Baseline days (with visitors) needed before a drop is judged: one or two days say little about an hour. */
export const MIN_BASELINE_DAYS = 3;

/**
 * CONVERSION_DROP: the last hour's conversion is below `conversionDropRatio` × the mean conversion of the same
 * hour on the previous 7 days, when the last hour had at least `conversionMinVisitors` visitors. Days with no
 * visitors in that hour (closed, camera down) are left out of the mean rather than counted as 0 %.
 */
export function detectConversionDrop(last: HourConversion, previousDays: readonly HourConversion[], at: number, t: AnomalyThresholds): Anomaly[] {
  if (last.visitors < t.conversionMinVisitors) return [];
  const days = previousDays.filter((d) => d.visitors > 0);
  if (days.length < MIN_BASELINE_DAYS) return [];
  const baseline = days.reduce((s, d) => s + d.purchased / d.visitors, 0) / days.length;
  const rate = last.purchased / last.visitors;
  if (baseline <= 0 || rate >= t.conversionDropRatio * baseline) return [];
  const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
  return [
    {
      type: 'CONVERSION_DROP',
      severity: rate < (t.conversionDropRatio * baseline) / 2 ? 'critical' : 'warning',
      detected_at: iso(at),
      details: {
        hour_from: iso(last.from),
        conversion_rate: r4(rate),
        visitors: last.visitors,
        purchased: last.purchased,
        baseline_rate: r4(baseline),
        baseline_days: days.length,
        ratio: t.conversionDropRatio,
      },
    },
  ];
}
