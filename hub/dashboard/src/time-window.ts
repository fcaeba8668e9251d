/** The dashboard's time windows, as the from/to query the API takes (ISO-8601, or YYYY-MM-DD in the store's zone). */
export type RangeKind = 'today' | 'last_hour' | 'custom';

export interface WindowQuery {
  from?: string;
  to?: string;
}

const MINUTE = 60_000;

/** The day after a YYYY-MM-DD date (calendar arithmetic in UTC, so no time zone can shift it). */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + 1)).toISOString().slice(0, 10);
}

/**
 * today: no bounds (the API's default is today in the store's zone). last_hour: the 60 minutes before the current
 * minute, with two minutes of headroom so events of the next minute still land in it until the page rolls the
 * window on. custom: whole days, `to` inclusive.
 */
export function windowQuery(kind: RangeKind, now: number, custom?: { from: string; to: string }): WindowQuery {
  if (kind === 'last_hour') {
    const m = Math.floor(now / MINUTE) * MINUTE;
    return { from: new Date(m - 60 * MINUTE).toISOString(), to: new Date(m + 2 * MINUTE).toISOString() };
  }
  if (kind === 'custom' && custom?.from && custom.to) return { from: custom.from, to: nextDay(custom.to) };
  return {};
}

export function toSearch(q: WindowQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (q.from) p.set('from', q.from);
  if (q.to) p.set('to', q.to);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
