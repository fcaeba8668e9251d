import { expect } from 'chai';
import { makeEvent } from '../../fixtures/events.js';
import { generateStoreDay, toPosCsv, type StoreDay } from '../../fixtures/store-day.js';
import { DATABASES, dropPgSchema, startTestHub, type TestHub } from '../../helpers/hub.js';

const STORE = 'STORE_BLR_002';

/** Shuffles a copy (seeded): events reach the hub out of order, as they do from several cameras. */
function shuffled<T>(xs: readonly T[], seed = 3): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

for (const dbCase of DATABASES) {
  describe(`store analytics API on ${dbCase.name} @integration`, function () {
    this.timeout(60_000);
    let hub: TestHub;
    let schema: string | undefined;
    let day: StoreDay;
    const get = async (path: string) => {
      const res = await fetch(hub.url + path);
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const q = (d: { from: string; to: string }) => `from=${encodeURIComponent(d.from)}&to=${encodeURIComponent(d.to)}`;
    const ingest = async (events: unknown[]) => {
      for (let i = 0; i < events.length; i += 500) {
        const res = await hub.post('/events/ingest', { events: events.slice(i, i + 500) });
        expect(res.status).to.equal(200);
      }
    };

    before(async function () {
      schema = dbCase.schema();
      hub = await startTestHub({ DATABASE_URL: dbCase.url(), DATABASE_SCHEMA: schema });
      day = generateStoreDay();
      // Out of order, and a tenth of the events sent twice (duplicates are dropped by event_id at ingest).
      const events = shuffled(day.events);
      await ingest([...events, ...events.filter((_, i) => i % 10 === 0)]);
      const res = await fetch(`${hub.url}/stores/${STORE}/pos`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: toPosCsv(day.transactions) });
      expect(res.status).to.equal(200);
    });
    after(async () => {
      await hub?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('returns the fixture day’s true metrics exactly', async () => {
      const { status, body } = await get(`/stores/${STORE}/metrics?${q(day)}`);
      expect(status).to.equal(200);
      const t = day.truth;
      // The retail KPIs added later (occupancy, buying units, waits, sales) have their own hand-computed day
      // (report-routes.test.ts); this day's generator knows the takings, so sales are checked here too.
      const sales = day.transactions.reduce((sum, tx) => sum + tx.basket_value_inr, 0);
      expect([body.transactions, body.sales_total]).to.deep.equal([day.transactions.length, Math.round(sales * 100) / 100]);
      expect(body).to.deep.include({
        unique_visitors: t.unique_visitors,
        conversion_rate: t.conversion_rate,
        purchased: t.purchased,
        unattributed_transactions: t.unattributed_transactions,
        avg_dwell_ms: t.avg_dwell_ms,
        avg_zone_dwell_ms: t.avg_zone_dwell_ms,
        queue_depth_current: 0,
        abandonment_rate: t.abandonment_rate,
        staff_excluded_events: t.staff_excluded_events,
        // One camera sees the door and the counter: identity needs no link, every sale is a visitor's.
        identity: { linked_visitors: 0, purchased_linked: 0, purchased_unlinked: 0 },
        uncounted_transactions: { entered_before_window: 0, beyond_visitors: 0 },
        window: { from: day.from, to: day.to },
      });
      expect(t.purchased).to.be.greaterThan(10);
      expect(t.unattributed_transactions).to.be.greaterThan(2);
    });

    it('metricsService.metrics gives the live stream the same numbers as the endpoint', async () => {
      const viaApi = (await get(`/stores/${STORE}/metrics?${q(day)}`)).body;
      const direct = await hub.hub.analytics.metrics.metrics(STORE, { from: day.from, to: day.to });
      expect(direct).to.deep.equal(viaApi);
    });

    it('returns the true funnel, never growing', async () => {
      const { body } = await get(`/stores/${STORE}/funnel?${q(day)}`);
      const noLink = { linked: 0, unlinked: 0 };
      const identity = { zone_visit: noLink, billing_queue: noLink, purchased: noLink };
      expect(body).to.deep.equal({ ...day.truth.funnel, identity, window: { from: day.from, to: day.to } });
      expect(body.entry).to.be.at.least(body.zone_visit);
      expect(body.zone_visit).to.be.at.least(body.billing_queue);
      expect(body.billing_queue).to.be.at.least(body.purchased);
    });

    it('returns the true heatmap with every zone, normalised to the busiest', async () => {
      const { body } = await get(`/stores/${STORE}/heatmap?${q(day)}`);
      const zones = body.zones as { zone_id: string; frequency: number; avg_dwell_ms: number; normalized: number }[];
      expect(zones.map((z) => z.zone_id)).to.deep.equal(['Z_ENTRANCE', 'Z_COUNTER', 'Z_CERAMICS', 'Z_DISPLAY', 'Z_STOCKROOM']);
      const max = Math.max(...Object.values(day.truth.zones).map((z) => z.frequency));
      for (const z of zones) {
        const truth = day.truth.zones[z.zone_id]!;
        expect({ id: z.zone_id, f: z.frequency, d: z.avg_dwell_ms }).to.deep.equal({ id: z.zone_id, f: truth.frequency, d: truth.avg_dwell_ms });
        expect(z.normalized).to.equal(Math.round((100 * truth.frequency) / max));
      }
      expect(zones.find((z) => z.zone_id === 'Z_STOCKROOM')).to.include({ frequency: 0, avg_dwell_ms: 0, normalized: 0 });
    });

    it('returns hourly rows in local hours that add up to the day', async () => {
      const { body } = await get(`/stores/${STORE}/metrics/hourly?${q(day)}`);
      const hours = body.hours as { unique_visitors: number; purchased: number; unattributed_transactions: number; staff_excluded_events: number; window: { from: string } }[];
      expect(hours).to.have.length(24);
      expect(hours[0]!.window.from).to.equal(day.from);
      for (const h of hours) {
        const truth = day.truth.hourly[h.window.from] ?? { unique_visitors: 0, purchased: 0, unattributed_transactions: 0 };
        expect({ at: h.window.from, v: h.unique_visitors, p: h.purchased, u: h.unattributed_transactions }).to.deep.equal({
          at: h.window.from, v: truth.unique_visitors, p: truth.purchased, u: truth.unattributed_transactions,
        });
      }
      expect(hours.reduce((s, h) => s + h.staff_excluded_events, 0)).to.equal(day.truth.staff_excluded_events);
    });

    it('answers an unknown store with 404 and a malformed window with 400 naming the field', async () => {
      expect((await get('/stores')).body.stores).to.deep.include({ store_id: STORE, name: 'Bengaluru Indiranagar', timezone: 'Asia/Kolkata' });
      const unknown = await get('/stores/STORE_NOPE_9/metrics');
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.message).to.match(/unknown store STORE_NOPE_9/);
      for (const [query, field] of [['from=yesterday', 'from'], ['to=2026-13-45', 'to'], ['from=2026-03-03T10:00:00', 'from'], [`from=${day.to}&to=${day.from}`, 'to'], ['from=a&from=b', 'from']] as const) {
        for (const ep of ['metrics', 'funnel', 'heatmap', 'anomalies', 'metrics/hourly']) {
          const r = await get(`/stores/${STORE}/${ep}?${query}`);
          expect([ep, query, r.status, r.body.error?.code, r.body.error?.field]).to.deep.equal([ep, query, 400, 'INVALID_QUERY', field]);
        }
      }
    });

    it('answers a store with no events (another day) with zeros, not errors', async () => {
      const empty = { from: '2026-01-05T00:00:00+05:30', to: '2026-01-06T00:00:00+05:30' };
      const m = (await get(`/stores/${STORE}/metrics?${q(empty)}`)).body;
      expect(m).to.include({ unique_visitors: 0, conversion_rate: 0, purchased: 0, avg_dwell_ms: 0, abandonment_rate: 0, staff_excluded_events: 0 });
      expect((await get(`/stores/${STORE}/funnel?${q(empty)}`)).body).to.include({ entry: 0, zone_visit: 0, billing_queue: 0, purchased: 0 });
      const hm = (await get(`/stores/${STORE}/heatmap?${q(empty)}`)).body;
      expect(hm.zones.every((z: { frequency: number; normalized: number }) => z.frequency === 0 && z.normalized === 0)).to.equal(true);
      const hourly = (await get(`/stores/${STORE}/metrics/hourly?${q(empty)}`)).body;
      expect(hourly.hours).to.have.length(24);
    });

    it('accepts dates in the store’s zone and defaults to today there', async () => {
      const byDate = (await get(`/stores/${STORE}/metrics?from=2026-03-03&to=2026-03-04`)).body;
      expect(byDate.window).to.deep.equal({ from: day.from, to: day.to });
      expect(byDate.unique_visitors).to.equal(day.truth.unique_visitors);
      const today = (await get(`/stores/${STORE}/metrics`)).body;
      const span = Date.parse(today.window.to) - Date.parse(today.window.from);
      expect(span).to.equal(24 * 3_600_000);
      expect(new Date(today.window.from).getUTCHours() * 60 + new Date(today.window.from).getUTCMinutes()).to.equal(18 * 60 + 30);
    });

    it('reports anomalies as a list: stale feeds after closing, queue spikes from customers only', async () => {
      const { status, body } = await get(`/stores/${STORE}/anomalies?${q(day)}`);
      expect(status).to.equal(200);
      expect(body).to.be.an('array');
      const list = body as unknown as { type: string; camera_id?: string; details: Record<string, number> }[];
      // After closing time every camera goes quiet: all three are stale at the end of the day.
      expect(list.filter((a) => a.type === 'STALE_FEED').map((a) => a.camera_id).sort()).to.deep.equal(['CAM_AISLE_01', 'CAM_ENTRY_01', 'CAM_FLOOR_01']);
      // Customer queues are 1–4 deep; the staff's depth-9 readings must never show up.
      for (const a of list.filter((x) => x.type === 'QUEUE_SPIKE')) expect(a.details.peak_depth).to.be.at.most(4);
    });

    it('POST /stores/:id/pos is idempotent and reports bad CSV rows by line', async () => {
      const csv = [
        'transaction_id,store_id,timestamp,basket_value_inr',
        `${day.transactions[0]!.transaction_id},${STORE},${day.transactions[0]!.timestamp},999`,
        `TX_NEW_1,${STORE},2026-01-05T12:00:00+05:30,450.50`,
        `TX_BAD_1,${STORE},2026-01-05 12:00,450`,
        `TX_BAD_2,${STORE},2026-01-05T12:00:00Z,abc`,
        `TX_BAD_3,STORE_OTHER,2026-01-05T12:00:00Z,10`,
        'TX_BAD_4,only,three',
      ].join('\n');
      const post = () => fetch(`${hub.url}/stores/${STORE}/pos`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      const first = await (await post()).json();
      expect(first.inserted).to.equal(1);
      expect(first.duplicates).to.equal(1);
      expect(first.errors.map((e: { line: number; field: string }) => [e.line, e.field])).to.deep.equal([
        [4, 'timestamp'], [5, 'basket_value_inr'], [6, 'store_id'], [7, '(row)'],
      ]);
      const again = await (await post()).json();
      expect([again.inserted, again.duplicates]).to.deep.equal([0, 2]);
      const stored = await hub.hub.db.knex('pos_transactions').where({ transaction_id: day.transactions[0]!.transaction_id }).first();
      expect(Number(stored.basket_value_inr)).to.equal(day.transactions[0]!.basket_value_inr);
    });

    it('POST /stores/:id/pos takes a JSON array and refuses bad bodies with a reason', async () => {
      const ok = await hub.post(`/stores/${STORE}/pos`, [{ transaction_id: 'TX_JSON_1', store_id: STORE, timestamp: '2026-01-05T13:00:00Z', basket_value_inr: 10 }, { transaction_id: 'TX_JSON_2' }]);
      const body = await ok.json();
      expect(body.inserted).to.equal(1);
      expect(body.errors.map((e: { index: number; field: string }) => [e.index, e.field])).to.deep.include.members([[1, 'store_id'], [1, 'timestamp'], [1, 'basket_value_inr']]);
      expect((await hub.post(`/stores/${STORE}/pos`, { not: 'an array' })).status).to.equal(400);
      const header = await fetch(`${hub.url}/stores/${STORE}/pos`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'id,store,ts,value\n' });
      expect(header.status).to.equal(400);
      expect((await header.json()).error.message).to.match(/line 1: header/);
      expect((await hub.post('/stores/STORE_NOPE_9/pos', [])).status).to.equal(404);
      const xml = await fetch(`${hub.url}/stores/${STORE}/pos`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
      expect(xml.status).to.equal(415);
    });

    it('PUT /stores/:id/layout adds a store whose empty day is all zeros; bad layouts get 400 naming the field', async () => {
      const layout = { name: 'Pune test', timezone: 'Asia/Kolkata', zones: [{ zone_id: 'Z_TILL', name: 'Till', type: 'billing' }] };
      const put = (id: string, body: unknown) =>
        fetch(`${hub.url}/stores/${id}/layout`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await put('STORE_PUN_001', layout)).status).to.equal(201);
      expect((await put('STORE_PUN_001', layout)).status).to.equal(200);
      const m = await get('/stores/STORE_PUN_001/metrics');
      expect(m.status).to.equal(200);
      expect(m.body.unique_visitors).to.equal(0);
      expect((await get('/stores/STORE_PUN_001/layout')).body.zones[0].zone_id).to.equal('Z_TILL');
      const bad = await put('STORE_PUN_001', { ...layout, zones: [{ zone_id: 'Z', name: 'x', type: 'cafe' }] });
      expect(bad.status).to.equal(400);
      expect((await bad.json()).error.field).to.equal('zones.0.type');
      const mismatch = await put('STORE_PUN_001', { ...layout, store_id: 'STORE_X' });
      expect((await mismatch.json()).error.field).to.equal('store_id');
    });

    it('counts only-staff days as zero visitors with the staff events reported as excluded', async () => {
      const from = '2026-02-01T00:00:00+05:30';
      const to = '2026-02-02T00:00:00+05:30';
      const staff = (type: string, ts: string, extra: Record<string, unknown> = {}) =>
        makeEvent({ store_id: STORE, visitor_id: 'STAFF_Z', is_staff: true, event_type: type, timestamp: ts, ...extra });
      await ingest([
        staff('ENTRY', '2026-02-01T10:00:00+05:30'),
        staff('BILLING_QUEUE_JOIN', '2026-02-01T10:05:00+05:30', { zone_id: 'Z_COUNTER' }),
        staff('EXIT', '2026-02-01T18:00:00+05:30'),
      ]);
      await hub.post(`/stores/${STORE}/pos`, [{ transaction_id: 'TX_STAFF_DAY', store_id: STORE, timestamp: '2026-02-01T10:06:00+05:30', basket_value_inr: 100 }]);
      const m = (await get(`/stores/${STORE}/metrics?${q({ from, to })}`)).body;
      expect(m).to.include({ unique_visitors: 0, purchased: 0, unattributed_transactions: 1, staff_excluded_events: 3, conversion_rate: 0 });
    });
  });
}
