/**
 * Pure formatting shared by the dashboard and its tests: the tiles show the API's numbers, only formatted, so a
 * test can format the API's answer with these same functions and compare it with the page's text.
 */

/** KPI tiles in display order: key of GET /stores/:id/metrics, label, formatter. */
export const KPIS = [
  { key: 'unique_visitors', label: 'Unique visitors', format: (v: number) => integer(v) },
  { key: 'conversion_rate', label: 'Conversion rate', format: (v: number) => percent(v) },
  { key: 'purchased', label: 'Purchases', format: (v: number) => integer(v) },
  { key: 'avg_dwell_ms', label: 'Average visit', format: (v: number) => duration(v) },
  { key: 'queue_depth_current', label: 'Queue now', format: (v: number) => integer(v) },
  { key: 'abandonment_rate', label: 'Queue abandonment', format: (v: number) => percent(v) },
] as const;
export type KpiKey = (typeof KPIS)[number]['key'];

export function integer(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–';
}

/** A 0..1 rate as a percentage with one decimal. */
export function percent(rate: number): string {
  return Number.isFinite(rate) ? `${(rate * 100).toFixed(1)}%` : '–';
}

/** Milliseconds as "45 s", "12 min 5 s" or "1 h 20 min". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
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
