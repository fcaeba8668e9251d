import { expect } from 'chai';
import { REPORT_COLUMNS } from '../../../hub/analytics/report-csv.js';
import { heatmapSchema, hourlyMetricsSchema, storeMetricsSchema } from '../../../hub/api/metrics-schemas.js';
import type { StoreMetrics } from '../../../hub/analytics/metrics.js';
import { KPI_DAY, KPI_DAY_POS, KPI_DAY_TRUTH as T, KPI_STORE, kpiDayEvents } from '../../fixtures/kpi-day.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

/** RFC 4180 rows of a body whose fields hold no quotes (asserted), split on CRLF and commas. */
function csvRows(body: string): string[][] {
  expect(body.endsWith('\r\n'), 'CRLF after the last row').to.equal(true);
  expect(body.replace(/\r\n/g, '')).to.not.match(/[\r\n"]/);
  return body.slice(0, -2).split('\r\n').map((l) => l.split(','));
}

/** A metrics object as the CSV writes it: the same columns, nulls as empty cells. */
const asCells = (m: StoreMetrics) => REPORT_COLUMNS.map(([, value]) => (value(m) === null ? '' : String(value(m))));

for (const dbCase of DATABASES) {
  describe(`store KPIs and the CSV report on ${dbCase.name} (hand-computed day) @integration`, function () {
    this.timeout(60_000);
    let hub: TestHub;
    let schema: string | undefined;
    const q = `from=${KPI_DAY.from}&to=${KPI_DAY.to}`;
    const get = async (path: string) => (await fetch(`${hub.url}/stores/${KPI_STORE}${path}`)).json() as Promise<any>;

    before(async () => {
      schema = dbCase.schema();
      hub = await startTestHub({ DATABASE_URL: dbCase.url(), DATABASE_SCHEMA: schema });
      const res = await hub.post('/events/ingest', { events: kpiDayEvents() });
      expect(await res.json()).to.include({ inserted: kpiDayEvents().length });
      expect((await hub.post(`/stores/${KPI_STORE}/pos`, KPI_DAY_POS)).status).to.equal(200);
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('metrics: occupancy, buying units, queue waits (abandons apart) and sales equal the hand-computed day', async () => {
      const m = await get(`/metrics?${q}`);
      const { hours: _h, zones: _z, ...day } = T;
      expect(m).to.deep.include(day);
      storeMetricsSchema.parse(m); // the OpenAPI schema describes every field, exactly
    });

    it('metrics/hourly: per local hour, occupancy at the hour end and its peak; waits in the hour of the join', async () => {
      const { hours } = hourlyMetricsSchema.parse(await get(`/metrics/hourly?${q}`)) as { hours: StoreMetrics[] };
      expect(hours).to.have.length(24);
      for (const [hh, want] of Object.entries(T.hours)) {
        const h = hours[Number(hh)]!;
        expect(h.window.from).to.equal(new Date(`2026-03-10T${hh}:00:00+05:30`).toISOString());
        const { queue_wait_p50, ...rest } = want;
        expect(h).to.deep.include(rest);
        expect(h.queue_wait_ms.p50).to.equal(queue_wait_p50);
      }
      expect(hours[13]).to.deep.include({ occupancy: 1, occupancy_peak: 1, unique_visitors: 0 }); // F still inside
      const sum = (k: 'unique_visitors' | 'buying_units' | 'transactions') => hours.reduce((s, h) => s + h[k], 0);
      expect([sum('unique_visitors'), sum('buying_units'), sum('transactions')]).to.deep.equal([T.unique_visitors, T.buying_units, T.transactions]);
    });

    it('metrics of a window that starts mid-day count who came in earlier that day and is still inside', async () => {
      const late = (await get(`/metrics?from=${encodeURIComponent('2026-03-10T13:30:00+05:30')}&to=${encodeURIComponent('2026-03-10T14:00:00+05:30')}`)) as StoreMetrics;
      // F came in before 13:00 and never left: inside at 14:00, though the window holds none of its door events.
      expect(late).to.deep.include({ occupancy: 1, occupancy_peak: 1, unique_visitors: 0 });
      const nextDay = (await get('/metrics?from=2026-03-11T09:00:00%2B05:30&to=2026-03-11T10:00:00%2B05:30')) as StoreMetrics;
      expect(nextDay.occupancy, 'a missed exit is not carried past midnight').to.equal(0);
    });

    it('heatmap: per-zone conversion of the zone’s visitors', async () => {
      const { zones } = heatmapSchema.parse(await get(`/heatmap?${q}`));
      expect(Object.fromEntries(zones.map((z) => [z.zone_id, z.conversion_rate]))).to.deep.equal(T.zones);
    });

    it('report.csv?interval=hour: a header and one row per local hour, equal to /metrics/hourly', async () => {
      const res = await fetch(`${hub.url}/stores/${KPI_STORE}/report.csv?${q}&interval=hour`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/csv/);
      expect(res.headers.get('content-disposition')).to.match(/attachment; filename=".+\.csv"/);
      const [header, ...rows] = csvRows(await res.text());
      expect(header).to.deep.equal(['from', 'to', ...REPORT_COLUMNS.map(([n]) => n)]);
      const { hours } = (await get(`/metrics/hourly?${q}`)) as { hours: StoreMetrics[] };
      expect(rows).to.have.length(24);
      rows.forEach((r, i) => expect(r.slice(2), `hour ${i}`).to.deep.equal(asCells(hours[i]!)));
      expect(rows[10]!.slice(0, 2)).to.deep.equal(['2026-03-10T10:00:00+05:30', '2026-03-10T11:00:00+05:30']);
    });

    it('report.csv?interval=day: one row per local day equal to /metrics of that day; an empty day is zeros and empty waits', async () => {
      const res = await fetch(`${hub.url}/stores/${KPI_STORE}/report.csv?from=2026-03-10&to=2026-03-12&interval=day`);
      const [, first, second, ...more] = csvRows(await res.text());
      expect(more).to.deep.equal([]);
      expect(first!.slice(0, 2)).to.deep.equal(['2026-03-10T00:00:00+05:30', '2026-03-11T00:00:00+05:30']);
      expect(first!.slice(2)).to.deep.equal(asCells(await get(`/metrics?${q}`)));
      const empty = (await get('/metrics?from=2026-03-11&to=2026-03-12')) as StoreMetrics;
      expect(second!.slice(2)).to.deep.equal(asCells(empty));
      expect(empty).to.deep.include({ unique_visitors: 0, occupancy: 0, occupancy_peak: 0, buying_units: 0, buying_unit_conversion_rate: 0, sales_total: 0, atv: 0, sales_per_visitor: 0 });
      expect(empty.queue_wait_ms).to.deep.equal({ avg: null, p50: null, p90: null, n: 0 });
      expect(second![REPORT_COLUMNS.findIndex(([n]) => n === 'queue_wait_avg_ms') + 2]).to.equal('');
    });

    it('report.csv answers a bad interval, a repeated one, a bad window and an unknown store with clear errors', async () => {
      for (const [path, status, field] of [
        [`/stores/${KPI_STORE}/report.csv?${q}&interval=week`, 400, 'interval'],
        [`/stores/${KPI_STORE}/report.csv?${q}&interval=hour&interval=day`, 400, 'interval'],
        [`/stores/${KPI_STORE}/report.csv?from=2026-03-12&to=2026-03-10`, 400, 'to'],
        ['/stores/NOPE/report.csv', 404, undefined],
      ] as const) {
        const res = await fetch(hub.url + path);
        const body = (await res.json()) as { error: { code: string; field?: string } };
        expect([path, res.status, body.error.field]).to.deep.equal([path, status, field]);
      }
    });
  });
}
