import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../../common/logger.js';
import { storeLayoutSchema } from '../../../common/layout.js';
import { funnelSchema, storeMetricsSchema } from '../../../hub/api/metrics-schemas.js';
import { createLayoutService } from '../../../hub/services/layout-service.js';
import { createMetricsService } from '../../../hub/services/metrics-service.js';
import { createAnalyticsRepository } from '../../../hub/store/analytics-repository.js';
import { openDb, type Db } from '../../../hub/store/db.js';
import type { EventStore } from '../../../hub/store/event-store.js';
import { openEventStore } from '../../../hub/store/open-event-store.js';
import { createKpiRepository } from '../../../hub/store/kpi-repository.js';
import { createLayoutRepository } from '../../../hub/store/layout-repository.js';
import { createPosRepository } from '../../../hub/store/pos-repository.js';
import { createVisitorLinkRepository } from '../../../hub/store/visitor-link-repository.js';
import { makeEvent } from '../../fixtures/events.js';
import { rowsOf } from '../../helpers/event-rows.js';
import { captureLogger, DATABASES, dropPgSchema } from '../../helpers/hub.js';

const M = 60_000;
const T0 = Date.parse('2026-03-03T04:30:00Z'); // 10:00 in Bengaluru
const WINDOW = { from: new Date(T0).toISOString(), to: new Date(T0 + 2 * 60 * M).toISOString() };
const iso = (t: number) => new Date(t).toISOString();

/** A door camera (door line, no zone), a till camera and a second till view (counter zone only, no door line). */
const layoutOf = (storeId: string) =>
  storeLayoutSchema.parse({
    store_id: storeId,
    name: 'Two-camera store',
    timezone: 'Asia/Kolkata',
    zones: [{ zone_id: 'Z_COUNTER', name: 'Counter', type: 'billing' }],
    cameras: [
      { camera_id: 'CAM_DOOR', door_lines: [{ line_id: 'L', a: [0, 0.9], b: [1, 0.9], inside: 'left' }] },
      { camera_id: 'CAM_TILL', zones: [{ zone_id: 'Z_COUNTER', polygon: [[0, 0], [1, 0], [1, 1]] }] },
      { camera_id: 'CAM_TILL_2', zones: [{ zone_id: 'Z_COUNTER', polygon: [[0, 0], [1, 0], [1, 1]] }] },
    ],
  });

/**
 * Five visitors enter at the door (D1–D5, 15-minute visits, 10 minutes apart). The till camera gives D1–D4 ids of
 * its own (T1–T4: counter, queue join, dwell; T3 abandons); the second till view sees D1 as U1. T5 buys without
 * ever passing the door camera. A staff member (S1) stands at the till; one sale happens when only S1 is there.
 * Sales: D1, D2, D4 (through T1, T2, T4), T5, and the staff-only one.
 */
function storeDay(storeId: string) {
  const ev = (camera_id: string, visitor_id: string, event_type: string, t: number, over: Record<string, unknown> = {}) =>
    makeEvent({ store_id: storeId, camera_id, visitor_id, event_type, timestamp: iso(t), ...over });
  const zone = { zone_id: 'Z_COUNTER' };
  const events: Record<string, unknown>[] = [];
  for (let i = 1; i <= 5; i++) {
    const base = T0 + i * 10 * M;
    events.push(ev('CAM_DOOR', `D${i}`, 'ENTRY', base), ev('CAM_DOOR', `D${i}`, 'EXIT', base + 15 * M));
    if (i === 5) continue;
    events.push(
      ev('CAM_TILL', `T${i}`, 'ZONE_ENTER', base + 4 * M, zone),
      ev('CAM_TILL', `T${i}`, 'BILLING_QUEUE_JOIN', base + 5 * M, { ...zone, metadata: { queue_depth: 1, sku_zone: null, session_seq: 2 } }),
      ev('CAM_TILL', `T${i}`, 'ZONE_DWELL', base + 6 * M, { ...zone, dwell_ms: 120_000 }),
    );
    if (i === 3) events.push(ev('CAM_TILL', 'T3', 'BILLING_QUEUE_ABANDON', base + 7 * M, zone));
  }
  events.push(ev('CAM_TILL_2', 'U1', 'ZONE_ENTER', T0 + 14.5 * M, zone));
  events.push(ev('CAM_TILL', 'T5', 'ZONE_ENTER', T0 + 70 * M, zone), ev('CAM_TILL', 'T5', 'BILLING_QUEUE_JOIN', T0 + 71 * M, zone));
  for (const [type, t] of [['ZONE_ENTER', 97], ['BILLING_QUEUE_JOIN', 98], ['ZONE_DWELL', 99]] as const) {
    events.push(ev('CAM_TILL', 'S1', type, T0 + t * M, { ...zone, is_staff: true, dwell_ms: type === 'ZONE_DWELL' ? 60_000 : 0 }));
  }
  const sale = (n: number, t: number) => ({ transaction_id: `TX_${storeId}_${n}`, store_id: storeId, ts: t, basket_value_inr: 500 });
  const transactions = [sale(1, T0 + 16 * M), sale(2, T0 + 26 * M), sale(4, T0 + 46 * M), sale(5, T0 + 72 * M), sale(9, T0 + 100 * M)];
  return { events, transactions };
}

for (const dbCase of DATABASES) {
  describe(`multi-camera store analytics on ${dbCase.name} @integration`, () => {
    let db: Db;
    let schema: string | undefined;
    const suffix = randomBytes(4).toString('hex').toUpperCase();
    const LINKED = `STORE_TWO_CAM_${suffix}`;
    const UNLINKED = `STORE_TWO_CAM_NOLINK_${suffix}`;
    let metrics: ReturnType<typeof createMetricsService>;
    let events: EventStore;

    before(async () => {
      schema = dbCase.schema();
      db = await openDb(dbCase.url(), schema);
      const layouts = createLayoutService({ repo: createLayoutRepository(db), logger: captureLogger().logger });
      await layouts.init(null);
      events = await openEventStore(db, { logger: silentLogger() });
      const pos = createPosRepository(db);
      for (const store of [LINKED, UNLINKED]) {
        await layouts.put(store, layoutOf(store));
        const day = storeDay(store);
        await events.insert(rowsOf(...day.events));
        await pos.insert(day.transactions);
      }
      const links = createVisitorLinkRepository(db);
      const link = (visitor_id: string, entrance_visitor_id: string, camera_id = 'CAM_TILL') =>
        ({ store_id: LINKED, visitor_id, entrance_visitor_id, camera_id, score: 0.8, linked_at: T0 + 15 * M });
      await links.saveLinks([link('T1', 'D1'), link('T2', 'D2'), link('U1', 'D1', 'CAM_TILL_2')]);
      const analytics = createAnalyticsRepository(db);
      metrics = createMetricsService({ analytics, kpi: createKpiRepository(db), pos, layouts, links });
    });
    after(async () => {
      await events?.close();
      await db?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('counts linked till ids under their entrance visitor, unlinked ones without a link, staff never', async () => {
      const m = await metrics.metrics(LINKED, WINDOW);
      expect(m).to.deep.include({
        unique_visitors: 5,
        purchased: 4,
        conversion_rate: 0.8,
        unattributed_transactions: 1, // the sale with only staff at the till
        avg_dwell_ms: 15 * M,
        avg_zone_dwell_ms: 120_000,
        abandonment_rate: 0.2, // D1, D2 (linked), T3, T4, T5 joined; T3 abandoned
        staff_excluded_events: 3,
      });
      expect(m.identity).to.deep.equal({ linked_visitors: 2, purchased_linked: 2, purchased_unlinked: 2 });
      expect(m.uncounted_transactions).to.deep.equal({ entered_before_window: 0, beyond_visitors: 0 });
      storeMetricsSchema.parse(m); // the OpenAPI schema describes the new fields, exactly
    });

    it('the funnel says which stages needed a link, and never grows', async () => {
      const f = await metrics.funnel(LINKED, WINDOW);
      expect(f).to.deep.include({ entry: 5, zone_visit: 5, billing_queue: 5, purchased: 4 });
      expect(f.identity).to.deep.equal({
        zone_visit: { linked: 2, unlinked: 3 },
        billing_queue: { linked: 2, unlinked: 3 },
        purchased: { linked: 2, unlinked: 2 },
      });
      funnelSchema.parse(f);
    });

    it('the same store without any link reads the same conversion; only the identity split changes', async () => {
      const m = await metrics.metrics(UNLINKED, WINDOW);
      expect(m).to.deep.include({ unique_visitors: 5, purchased: 4, conversion_rate: 0.8, unattributed_transactions: 1 });
      expect(m.identity).to.deep.equal({ linked_visitors: 0, purchased_linked: 0, purchased_unlinked: 4 });
      const f = await metrics.funnel(UNLINKED, WINDOW);
      expect(f).to.deep.include({ entry: 5, zone_visit: 5, billing_queue: 5, purchased: 4 });
      expect(f.identity.purchased).to.deep.equal({ linked: 0, unlinked: 4 });
    });

    it('counts a person seen in a zone by two cameras once when their ids are linked (heatmap frequency)', async () => {
      const counter = (h: Awaited<ReturnType<typeof metrics.heatmap>>) => h.zones.find((z) => z.zone_id === 'Z_COUNTER')!.frequency;
      expect(counter(await metrics.heatmap(LINKED, WINDOW))).to.equal(5); // D1 (T1 + U1), D2 (T2), T3, T4, T5
      expect(counter(await metrics.heatmap(UNLINKED, WINDOW))).to.equal(6);
    });

    it('hourly rows add up to the window, identity split included', async () => {
      const { hours } = await metrics.hourly(LINKED, WINDOW);
      const sum = (f: (h: (typeof hours)[number]) => number) => hours.reduce((a, h) => a + f(h), 0);
      expect([sum((h) => h.unique_visitors), sum((h) => h.purchased), sum((h) => h.identity.purchased_linked), sum((h) => h.identity.purchased_unlinked)]).to.deep.equal([5, 4, 2, 2]);
    });


    it('tells which of many ids a zone camera made (more ids than one IN list)', async () => {
      const store = `STORE_CAMS_${suffix}`;
      const ids = Array.from({ length: 1_203 }, (_, i) => `VIS_${i}`);
      await events.insert(rowsOf(...ids.map((id, i) => makeEvent({ store_id: store, camera_id: i % 3 === 0 ? 'CAM_TILL' : 'CAM_DOOR', visitor_id: id }))));
      const analytics = createAnalyticsRepository(db);
      // The events are at 14:22:10 (makeEvent): an aligned window is read from the rollups, a ragged one from raw events.
      const at = (hhmm: string) => Date.parse(`2026-03-03T${hhmm}:00Z`);
      for (const [from, to] of [[at('14:00'), at('15:00')], [at('14:10'), at('14:40')]] as const) {
        const till = await analytics.visitorsOfCameras(store, from, to, ids, ['CAM_TILL', 'CAM_TILL_2']);
        expect(till.size).to.equal(401);
        expect([...till].every((id) => Number(id.slice(4)) % 3 === 0)).to.equal(true);
      }
      expect((await analytics.visitorsOfCameras(store, at('14:00'), at('15:00'), ids, [])).size).to.equal(0);
    });
  });
}
