import type { EventRule } from './service.js';

/**
 * Event-time rules beyond the schema. Future timestamps beyond the skew are clock bugs (or abuse)
 * and would poison "today" windows; the past is open by default because back-filling old footage is normal.
 */
export function timeRules(opts: { maxFutureSkewMin: number; maxEventAgeDays?: number | undefined; clock?: () => number }): EventRule[] {
  const clock = opts.clock ?? Date.now;
  const rules: EventRule[] = [
    (e, index) => {
      const skewMs = Date.parse(e.timestamp) - clock();
      return skewMs > opts.maxFutureSkewMin * 60_000
        ? { index, event_id: e.event_id, field: 'timestamp', reason: `more than ${opts.maxFutureSkewMin} min in the future (MAX_FUTURE_SKEW_MIN)` }
        : null;
    },
  ];
  if (opts.maxEventAgeDays !== undefined) {
    const maxAgeMs = opts.maxEventAgeDays * 86_400_000;
    rules.push((e, index) =>
      clock() - Date.parse(e.timestamp) > maxAgeMs
        ? { index, event_id: e.event_id, field: 'timestamp', reason: `older than ${opts.maxEventAgeDays} days (MAX_EVENT_AGE_DAYS)` }
        : null,
    );
  }
  return rules;
}

/** Per-request rule: an API key scoped to some stores may only send their events. */
export function storeScopeRule(stores: ReadonlySet<string>): EventRule {
  return (e, index) =>
    stores.has(e.store_id) ? null : { index, event_id: e.event_id, field: 'store_id', reason: `this API key may not send events for store ${e.store_id}` };
}
