import { expect } from 'chai';
import { DEFAULT_THRESHOLDS } from '../../../hub/analytics/anomalies/types.js';
import { rollUp, splitRange, zoneRollUp } from '../../../hub/analytics/rollup.js';
import { createAnomalyService } from '../../../hub/services/anomaly-service.js';
import { createKpiRepository } from '../../../hub/store/kpi-repository.js';
import { createMetricsService } from '../../../hub/services/metrics-service.js';
import { createAnalyticsRepository } from '../../../hub/store/analytics-repository.js';
import { createPosRepository } from '../../../hub/store/pos-repository.js';
import { catchUpRollups, foldRollupsWith } from '../../../hub/store/rollup-fold.js';
import { withWriteTx } from '../../../hub/store/write-tx.js';
import { generateStoreDay, toPosCsv } from '../../fixtures/store-day.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

const STORE = 'STORE_BLR_002';
const M = 60_000;

describe('rollup helpers', () => {
  it('splits a window into ragged raw edges and an aligned middle', () => {
    const base = Date.parse('2026-03-03T04:30:00Z');
    expect(splitRange(base + 7 * M, base + 95 * M)).to.deep.equal({
      raw: [{ from: base + 7 * M, to: base + 30 * M }, { from: base + 90 * M, to: base + 95 * M }],
      rollup: { from: base + 30 * M, to: base + 90 * M },
    });
    expect(splitRange(base + M, base + 20 * M)).to.deep.equal({ raw: [{ from: base + M, to: base + 20 * M }], rollup: null });
    expect(splitRange(base, base + 60 * M)).to.deep.equal({ raw: [], rollup: { from: base, to: base + 60 * M } });
  });

  it('folds events per bucket, visitor, zone and staff flag', () => {
    const t = Date.parse('2026-03-03T04:30:00Z');
    const e = (event_type: string, ts: number, zone_id: string | null = null, dwell_ms = 0, is_staff = false) => ({ store_id: 'S', visitor_id: 'V', camera_id: 'C', event_type, ts, zone_id, dwell_ms, is_staff });
    const rows = rollUp([e('ENTRY', t + M), e('REENTRY', t), e('ZONE_DWELL', t + 2 * M, 'Z', 10_000), e('ZONE_DWELL', t + 3 * M, 'Z', 40_000), e('EXIT', t + 31 * M), e('ENTRY', t, null, 0, true)]);
    expect(rows.map((r) => [r.bucket_ts - t, r.zone_id, r.is_staff, r.n_events, r.first_in, r.first_entry, r.last_exit, r.dwell_sum, r.dwell_n])).to.deep.equal([
      [0, '', false, 2, t, t + M, null, 0, 0],
      [0, 'Z', false, 2, null, null, null, 50_000, 2],
      [30 * M, '', false, 1, null, null, t + 31 * M, 0, 0],
      [0, '', true, 1, t, t, null, 0, 0],
    ]);
  });
});

for (const dbCase of DATABASES) {
  describe(`rollups agree with raw events on ${dbCase.name} @integration`, function () {
    this.timeout(60_000);
    let hub: TestHub;
    let schema: string | undefined;
    const day = generateStoreDay({ seed: 11, visitors: 80 });

    before(async () => {
      schema = dbCase.schema();
      hub = await startTestHub({ DATABASE_URL: dbCase.url(), DATABASE_SCHEMA: schema });
      // Half the day before the first query, half after: the rollup is caught up incrementally.
      const half = Math.floor(day.events.length / 2);
      for (let i = 0; i < half; i += 500) await hub.post('/events/ingest', { events: day.events.slice(i, Math.min(i + 500, half)) });
      await hub.hub.analytics.metrics.metrics(STORE, { from: day.from, to: day.to });
      for (let i = half; i < day.events.length; i += 500) await hub.post('/events/ingest', { events: day.events.slice(i, i + 500) });
      await fetch(`${hub.url}/stores/${STORE}/pos`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: toPosCsv(day.transactions) });
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('every endpoint gives the same answer from rollups as from raw events, on aligned and ragged windows', async () => {
      const db = hub.hub.db;
      const layouts = hub.hub.analytics.layouts;
      const pos = createPosRepository(db);
      const raw = createAnalyticsRepository(db, { rollups: false });
      const rolled = createAnalyticsRepository(db);
      const services = [raw, rolled].map((analytics) => ({
        metrics: createMetricsService({ analytics, kpi: createKpiRepository(db), pos, layouts }),
        anomalies: createAnomalyService({ analytics, pos, layouts, cameras: hub.hub.repos.cameras, thresholds: { ...DEFAULT_THRESHOLDS, deadZoneMinVisitors: 3 } }),
      }));
      const from = Date.parse(day.from);
      const windows = [
        [0, 24 * 60],
        [7, 24 * 60 - 13],
        [10 * 60 + 17, 13 * 60 + 2],
        [11 * 60 + 5, 11 * 60 + 25],
        [12 * 60 + 30, 15 * 60 + 30],
      ].map(([a, b]) => ({ from: from + a! * M, to: from + b! * M }));
      // Three states of the fold: every event past the watermark (read from raw rows), half folded, all folded.
      const fold = async (n?: number) => withWriteTx(db, (exec) => foldRollupsWith(exec, db.dialect, n));
      const states = [async () => undefined, async () => void (await fold(Math.floor(day.events.length / 2))), async () => void (await catchUpRollups(db))];
      expect(await db.knex('rollup_state').first('last_event_row').then((r) => Number(r.last_event_row))).to.equal(0);
      for (const [state, enter] of states.entries()) {
        await enter();
        for (const w of windows) {
          const [a, b] = await Promise.all(
            services.map(async (s) => ({
              metrics: await s.metrics.metrics(STORE, w),
              hourly: await s.metrics.hourly(STORE, w),
              funnel: await s.metrics.funnel(STORE, w),
              heatmap: await s.metrics.heatmap(STORE, w),
              anomalies: await s.anomalies.anomalies(STORE, w),
            })),
          );
          expect(b, `fold state ${state}, window ${new Date(w.from).toISOString()}..${new Date(w.to).toISOString()}`).to.deep.equal(a);
        }
      }
      const full = await services[1]!.metrics.metrics(STORE, { from: day.from, to: day.to });
      expect(full.unique_visitors).to.equal(day.truth.unique_visitors);
    });

    it('the database folds the rollup tables exactly as rollUp(), the reference, folds the stored events', async () => {
      const db = hub.hub.db;
      await catchUpRollups(db);
      const events = (await db.knex('events').select('store_id', 'visitor_id', 'camera_id', 'event_type', 'ts', 'zone_id', 'dwell_ms', 'is_staff')).map((e) => ({
        ...e, ts: Number(e.ts), dwell_ms: Number(e.dwell_ms), is_staff: e.is_staff === true || Number(e.is_staff) === 1,
      }));
      expect(events.length).to.equal(day.events.length);
      const norm = (rows: Record<string, unknown>[]) =>
        rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v === null ? null : k.endsWith('_id') ? v : Number(v)]))).sort();
      const expected = rollUp(events);
      expect(norm(await db.knex('visitor_rollups').select('*'))).to.deep.equal(norm(expected as never));
      expect(norm(await db.knex('zone_rollups').select('*'))).to.deep.equal(norm(zoneRollUp(expected) as never));
    });
  });
}
