/**
 * Pure formatting shared by the dashboard and its tests: the tiles show the API's numbers, only formatted, so a
 * test can format the API's answer with these same functions and compare it with the page's text.
 */

/** The fields of GET /stores/:id/metrics a tile reads (structural, so this file stays free of hub imports). */
interface TileMetrics {
  unique_visitors: number;
  conversion_rate: number;
  purchased: number;
  avg_dwell_ms: number;
  queue_depth_current: number;
  abandonment_rate: number;
  occupancy: number;
  occupancy_peak: number;
  buying_unit_conversion_rate: number;
  buying_units: number;
  queue_wait_ms: { p50: number | null; p90: number | null; n: number };
}

/**
 * KPI tiles in display order: a key (data-kpi), label, the value it shows from GET /stores/:id/metrics (null = no
 * figure, shown as "–"), its formatter, and an optional second line.
 */
export const KPIS: readonly {
  key: string;
  label: string;
  value: (m: TileMetrics) => number | null;
  format: (v: number | null) => string;
  detail?: (m: TileMetrics) => string;
}[] = [
  { key: 'unique_visitors', label: 'Unique visitors', value: (m) => m.unique_visitors, format: (v) => integer(v) },
  { key: 'conversion_rate', label: 'Conversion rate', value: (m) => m.conversion_rate, format: (v) => percent(v) },
  {
    key: 'buying_unit_conversion_rate', label: 'Buying-unit conversion', value: (m) => m.buying_unit_conversion_rate, format: (v) => percent(v),
    detail: (m) => `of ${integer(m.buying_units)} units`,
  },
  { key: 'purchased', label: 'Purchases', value: (m) => m.purchased, format: (v) => integer(v) },
  {
    key: 'occupancy', label: 'Inside now', value: (m) => m.occupancy, format: (v) => integer(v),
    detail: (m) => `peak ${integer(m.occupancy_peak)}`,
  },
  { key: 'avg_dwell_ms', label: 'Average visit', value: (m) => m.avg_dwell_ms, format: (v) => duration(v) },
  { key: 'queue_depth_current', label: 'Queue now', value: (m) => m.queue_depth_current, format: (v) => integer(v) },
  {
    key: 'queue_wait_ms', label: 'Queue wait (median)', value: (m) => m.queue_wait_ms.p50, format: (v) => duration(v),
    detail: (m) => (m.queue_wait_ms.n > 0 ? `p90 ${duration(m.queue_wait_ms.p90)} · ${integer(m.queue_wait_ms.n)} served` : 'nobody served yet'),
  },
  { key: 'abandonment_rate', label: 'Queue abandonment', value: (m) => m.abandonment_rate, format: (v) => percent(v) },
];

export function integer(v: number | null): string {
  return v !== null && Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–';
}

/** A 0..1 rate as a percentage with one decimal. */
export function percent(rate: number | null): string {
  return rate !== null && Number.isFinite(rate) ? `${(rate * 100).toFixed(1)}%` : '–';
}

/** Milliseconds as "45 s", "12 min 5 s" or "1 h 20 min". */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** Drop-off between two funnel stages as a percentage of the earlier one ("−35.0%"), or "" when none entered. */
export function dropOff(prev: number, next: number): string {
  if (!(prev > 0)) return '';
  return `−${(((prev - next) / prev) * 100).toFixed(1)}%`;
}

/** How long ago an instant was, coarse: "12 s ago", "5 min ago", "3 h ago". */
export function ago(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '–';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/**
 * Heat colour for a 0..1 share: pale yellow → orange → deep red (a sequential ramp, readable for the common
 * colour-vision deficiencies, after ColorBrewer's YlOrRd).
 */
export function heatColor(share: number, alpha = 1): string {
  const stops = [
    [255, 255, 204],
    [254, 217, 118],
    [253, 141, 60],
    [227, 26, 28],
    [128, 0, 38],
  ] as const;
  const x = Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((v, k) => Math.round(v + (stops[i + 1]![k]! - v) * f));
  return `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}
