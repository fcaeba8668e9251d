import type { StoreMetrics } from './metrics.js';
import type { WaitStats } from './queue-wait.js';
import { nextMidnight, zoneOffsetMs, type Window } from './window.js';

/**
 * The CSV report (GET /stores/:id/report.csv): one row per interval, every metric of GET /stores/:id/metrics as a
 * column, RFC 4180 (CRLF line ends, a header row, fields quoted only when they hold a comma, quote or line
 * break). Times are the store's local time with its offset, so a spreadsheet shows the store's hours and the
 * instant stays exact. A figure that does not exist (no queue waits to average) is an empty cell.
 */

type Cell = string | number | null;
type Column = [name: string, value: (m: StoreMetrics) => Cell];

const waits = (prefix: string, pick: (m: StoreMetrics) => WaitStats): Column[] => [
  [`${prefix}_avg_ms`, (m) => pick(m).avg],
  [`${prefix}_p50_ms`, (m) => pick(m).p50],
  [`${prefix}_p90_ms`, (m) => pick(m).p90],
  [`${prefix}_n`, (m) => pick(m).n],
];

/** Metric columns in order; the JSON field each comes from is its name (queue waits flattened). */
export const REPORT_COLUMNS: readonly Column[] = [
  ['unique_visitors', (m) => m.unique_visitors],
  ['purchased', (m) => m.purchased],
  ['conversion_rate', (m) => m.conversion_rate],
  ['buying_units', (m) => m.buying_units],
  ['buying_unit_conversion_rate', (m) => m.buying_unit_conversion_rate],
  ['occupancy', (m) => m.occupancy],
  ['occupancy_peak', (m) => m.occupancy_peak],
  ...waits('queue_wait', (m) => m.queue_wait_ms),
  ...waits('queue_abandon_wait', (m) => m.queue_abandon_wait_ms),
  ['abandonment_rate', (m) => m.abandonment_rate],
  ['queue_depth_current', (m) => m.queue_depth_current],
  ['sales_total', (m) => m.sales_total],
  ['transactions', (m) => m.transactions],
  ['atv', (m) => m.atv],
  ['sales_per_visitor', (m) => m.sales_per_visitor],
  ['unattributed_transactions', (m) => m.unattributed_transactions],
  ['uncounted_entered_before_window', (m) => m.uncounted_transactions.entered_before_window],
  ['uncounted_beyond_visitors', (m) => m.uncounted_transactions.beyond_visitors],
  ['linked_visitors', (m) => m.identity.linked_visitors],
  ['purchased_linked', (m) => m.identity.purchased_linked],
  ['purchased_unlinked', (m) => m.identity.purchased_unlinked],
  ['avg_dwell_ms', (m) => m.avg_dwell_ms],
  ['avg_zone_dwell_ms', (m) => m.avg_zone_dwell_ms],
  ['staff_excluded_events', (m) => m.staff_excluded_events],
];

/** `t` as local time in `timeZone` with its offset: 2026-03-03T14:00:00+05:30. */
export function localIso(t: number, timeZone: string): string {
  const off = zoneOffsetMs(t, timeZone);
  const local = new Date(t + off).toISOString().slice(0, 19);
  const abs = Math.abs(off) / 60_000;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${off < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** Local calendar days covering `w` (the first and last trimmed to the window), DST-exact via nextMidnight. */
export function dayBuckets(w: Window, timeZone: string): Window[] {
  const out: Window[] = [];
  let start = w.from;
  while (start < w.to) {
    const next = nextMidnight(start, timeZone);
    out.push({ from: start, to: Math.min(next, w.to) });
    start = Math.min(next, w.to);
  }
  return out;
}

/** RFC 4180 §2.6–2.7: quote a field holding a comma, quote or line break, doubling inner quotes. */
function field(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toReportCsv(rows: readonly StoreMetrics[], timeZone: string): string {
  const header = ['from', 'to', ...REPORT_COLUMNS.map(([name]) => name)];
  const lines = [header.map(field).join(',')];
  for (const m of rows) {
    const from = localIso(Date.parse(m.window.from), timeZone);
    const to = localIso(Date.parse(m.window.to), timeZone);
    lines.push([from, to, ...REPORT_COLUMNS.map(([, value]) => value(m))].map(field).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
