import { AppError } from '../../common/errors.js';

/** A half-open time window [from, to) in epoch milliseconds (UTC). */
export interface Window {
  from: number;
  to: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Longest window an endpoint answers: a year and a bit; longer ones are almost always a typo. */
export const MAX_WINDOW_MS = 400 * DAY_MS;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO-8601 date-time with an explicit zone; fractional seconds optional.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

// Building an Intl.DateTimeFormat costs far more than using one (a 720-row hourly CSV spent ~0.5 s on it), so one
// is kept per time zone; a hub serves a handful of zones.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at instant `t`, in ms (Asia/Kolkata → +19,800,000). */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(t / 1000) * 1000;
}

/**
 * The first instant of calendar day y-m-d in `timeZone`: its local midnight, found in two passes that settle DST
 * edges. Where clocks jump forward at 00:00 (America/Santiago, America/Havana), midnight does not exist and one pass
 * lands on the evening before: the day then starts at the jump, which the other pass found.
 */
export function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - zoneOffsetMs(guess, timeZone);
  const second = guess - zoneOffsetMs(first, timeZone);
  const onDay = (t: number) => {
    const local = t + zoneOffsetMs(t, timeZone);
    return local >= guess && local < guess + DAY_MS;
  };
  const candidates = [first, second].filter(onDay);
  return candidates.length > 0 ? Math.min(...candidates) : second;
}

/** [local midnight, next local midnight) of the day containing `now` in `timeZone`. */
export function todayIn(timeZone: string, now: number): Window {
  const local = new Date(now + zoneOffsetMs(now, timeZone));
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth() + 1;
  const d = local.getUTCDate();
  const from = localMidnight(y, m, d, timeZone);
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return { from, to: localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone) };
}

/** The start of the local day after the one holding `t`; always later than `t` (a loop over days must end). */
export function nextMidnight(t: number, timeZone: string): number {
  const next = todayIn(timeZone, t).to;
  if (!(next > t)) throw new Error(`no local day after ${new Date(t).toISOString()} in ${timeZone}`);
  return next;
}

/**
 * The local midnights that matter for counting through `w`: the one that starts the day holding `w.from`, and every
 * later one before `w.to` (a window of many days restarts daily counts at each).
 */
export function midnightsOf(w: Window, timeZone: string): { dayStart: number; within: number[] } {
  const first = todayIn(timeZone, w.from);
  const within: number[] = [];
  for (let m = first.to; m < w.to; m = nextMidnight(m, timeZone)) within.push(m);
  return { dayStart: first.from, within };
}

/**
 * One bound: an ISO-8601 date-time with a zone (an instant), or a date `YYYY-MM-DD` (local midnight in the
 * store's zone), or epoch ms (programmatic callers such as the live stream).
 */
export function parseInstant(value: unknown, field: string, timeZone: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
  if (typeof value !== 'string') throw badBound(field, 'must be an ISO-8601 string');
  const s = value.trim();
  const date = DATE_ONLY.exec(s);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) throw badBound(field, `"${s.slice(0, 40)}" is not a calendar date`);
    return localMidnight(y, m, d, timeZone);
  }
  if (!DATE_TIME.test(s)) {
    throw badBound(field, `"${s.slice(0, 40)}" must be ISO-8601 with a zone (e.g. 2026-03-03T10:00:00+05:30) or a date YYYY-MM-DD`);
  }
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw badBound(field, `"${s.slice(0, 40)}" is not a valid date-time`);
  return t;
}

function badBound(field: string, reason: string): AppError {
  return new AppError('INVALID_QUERY', `${field}: ${reason}`, { field });
}

/** Resolves from/to (either may be missing) into a window; default: today in the store's zone. */
export function resolveWindow(input: { from?: unknown; to?: unknown }, timeZone: string, now: number): Window {
  const today = todayIn(timeZone, now);
  const hasFrom = input.from !== undefined && input.from !== '';
  const hasTo = input.to !== undefined && input.to !== '';
  const from = hasFrom ? parseInstant(input.from, 'from', timeZone) : hasTo ? NaN : today.from;
  const to = hasTo ? parseInstant(input.to, 'to', timeZone) : hasFrom ? NaN : today.to;
  // Only one bound given: the other is one day away from it.
  const w = { from: Number.isNaN(from) ? to - DAY_MS : from, to: Number.isNaN(to) ? from + DAY_MS : to };
  if (w.to <= w.from) throw new AppError('INVALID_QUERY', `to must be after from (from=${iso(w.from)}, to=${iso(w.to)})`, { field: 'to' });
  if (w.to - w.from > MAX_WINDOW_MS) {
    throw new AppError('INVALID_QUERY', `window longer than ${MAX_WINDOW_MS / DAY_MS} days`, { field: 'to' });
  }
  return w;
}

export function iso(t: number): string {
  return new Date(t).toISOString();
}

/**
 * Hour buckets covering `w`, aligned to the store's local hours (Asia/Kolkata is UTC+05:30, so UTC hours
 * would split its local hours in two). The offset is taken at `from`; a DST change inside a window shifts later
 * buckets by the change, which is acceptable for charts.
 */
export function hourBuckets(w: Window, timeZone: string): Window[] {
  const first = localHourStart(w.from, timeZone);
  const out: Window[] = [];
  for (let t = first; t < w.to; t += HOUR_MS) out.push({ from: Math.max(t, w.from), to: Math.min(t + HOUR_MS, w.to) });
  return out;
}

/** Start of the local hour holding `t`. */
export function localHourStart(t: number, timeZone: string): number {
  const off = zoneOffsetMs(t, timeZone);
  return Math.floor((t + off) / HOUR_MS) * HOUR_MS - off;
}

/** Index of the bucket holding `t`, or -1; buckets are contiguous and sorted. */
export function bucketOf(buckets: readonly Window[], t: number): number {
  if (buckets.length === 0 || t < buckets[0]!.from || t >= buckets[buckets.length - 1]!.to) return -1;
  // Buckets after the first start on hour marks, so the index is arithmetic except for a trimmed first bucket.
  const i = t < buckets[0]!.to ? 0 : 1 + Math.floor((t - buckets[0]!.to) / HOUR_MS);
  return Math.min(i, buckets.length - 1);
}
