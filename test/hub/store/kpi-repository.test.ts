import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import { silentLogger } from '../../../common/logger.js';
import type { Db } from '../../../hub/store/db.js';
import type { EventRow } from '../../../hub/store/event-row.js';
import { createAnalyticsRepository } from '../../../hub/store/analytics-repository.js';
import { createKpiRepository } from '../../../hub/store/kpi-repository.js';
import { openEventStore } from '../../../hub/store/open-event-store.js';
import { DATABASES, useTestDb } from '../../helpers/hub.js';

const row = (store_id: string, visitor_id: string, event_type: string, ts: number, over: Partial<EventRow> & { meta?: Record<string, unknown> } = {}): EventRow => {
  const { meta, ...rest } = over;
  return {
    event_id: randomUUID(), store_id, camera_id: 'CAM', visitor_id, event_type, ts, zone_id: null, dwell_ms: 0, is_staff: false, confidence: 0.9,
    queue_depth: null, session_seq: 1, metadata: JSON.stringify({ queue_depth: null, sku_zone: null, session_seq: 1, ...meta }), received_at: ts, ...rest,
  };
};

for (const dbCase of DATABASES) {
  describe(`KPI repository on ${dbCase.name}`, () => {
    const testDb = useTestDb(dbCase);
    let db: Db;
    beforeEach(() => {
      db = testDb();
    });

    it('reads door events with their group, and queue outcomes with the till wait; staff, other zones and stores apart', async () => {
      const s = `STORE_KPI_${randomBytes(4).toString('hex')}`;
      const till = { zone_id: 'Z_TILL' };
      const store = await openEventStore(db, { logger: silentLogger() });
      await store.insert([
        row(s, 'A', 'ENTRY', 100, { meta: { group_id: 'G1' } }),
        row(s, 'A', 'EXIT', 900, { session_seq: 5, meta: { group_id: 'G1' } }),
        row(s, 'S', 'ENTRY', 100, { is_staff: true, meta: { group_id: 'G1' } }),
        row(s, 'A', 'BILLING_QUEUE_JOIN', 200, till),
        row(s, 'A', 'ZONE_EXIT', 300, { ...till, meta: { queue_wait_ms: 40 } }),
        row(s, 'B', 'BILLING_QUEUE_ABANDON', 300, till),
        row(s, 'B', 'ZONE_EXIT', 300, till), // no wait: not a served exit
        row(s, 'B', 'BILLING_QUEUE_JOIN', 300, till),
        row(s, 'C', 'BILLING_QUEUE_JOIN', 250, { zone_id: 'Z_AISLE' }),
        row(s, 'S', 'ZONE_EXIT', 260, { ...till, is_staff: true, meta: { queue_wait_ms: 1 } }),
        row(`${s}_X`, 'A', 'ENTRY', 100),
      ]);
      await store.close();
      const kpi = createKpiRepository(db);
      expect(await kpi.doorEvents(s, 0, 1_000)).to.deep.equal([
        { visitor_id: 'A', type: 'ENTRY', ts: 100, group_id: 'G1' },
        { visitor_id: 'A', type: 'EXIT', ts: 900, group_id: null },
      ]);
      expect((await kpi.queueEvents(s, 0, 1_000, ['Z_TILL'])).map((e) => [e.visitor_id, e.type, e.ts, e.queue_wait_ms])).to.deep.equal([
        ['A', 'BILLING_QUEUE_JOIN', 200, null],
        ['B', 'BILLING_QUEUE_JOIN', 300, null], // at one instant: joins, then exits, then abandons
        ['A', 'ZONE_EXIT', 300, 40],
        ['B', 'BILLING_QUEUE_ABANDON', 300, null],
      ]);
      expect(await kpi.queueEvents(s, 0, 1_000, [])).to.deep.equal([]);
    });

    if (dbCase.name === 'SQLite') {
      /** The SEARCH/SCAN lines of SQLite's plan for every query `run` makes, with the bindings it made them with. */
      async function plansOf(run: () => Promise<unknown>): Promise<string[]> {
        const queries: { sql: string; bindings: unknown[] }[] = [];
        const listener = (q: { sql: string; bindings: unknown[] }) => queries.push(q);
        db.knex.on('query', listener);
        try {
          await run();
        } finally {
          db.knex.removeListener('query', listener);
        }
        const details: string[] = [];
        for (const q of queries) details.push(...(await db.knex.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never)).map((r: { detail: string }) => r.detail));
        return details.filter((d) => d.startsWith('SEARCH') || d.startsWith('SCAN'));
      }

      it('answers door events and till waits from the partial covering indexes (no table lookups)', async () => {
        const kpi = createKpiRepository(db);
        const plans = await plansOf(async () => {
          await kpi.doorEvents('S', 0, 1);
          await kpi.queueEvents('S', 0, 1, ['Z']);
        });
        expect(plans).to.have.members([
          'SEARCH events USING COVERING INDEX events_doors (store_id=? AND ts>? AND ts<?)',
          'SEARCH events USING COVERING INDEX events_store_zone_ts (store_id=? AND zone_id=? AND ts>? AND ts<?)',
          'SEARCH events USING COVERING INDEX events_till_waits (store_id=? AND zone_id=? AND ts>? AND ts<?)',
        ]);
      });

      it('reads first entries, queue joins and queue readings from partial covering indexes (no table lookups)', async () => {
        const analytics = createAnalyticsRepository(db);
        const plans = await plansOf(async () => {
          await analytics.earliestEntries('S', 0, 1);
          await analytics.billingPresences('S', 0, 1, ['Z']);
          await analytics.queueSamples('S', 0, 1, ['Z']);
        });
        expect(plans).to.have.members([
          'SEARCH events USING COVERING INDEX events_doors (store_id=? AND ts>? AND ts<?)',
          'SEARCH events USING COVERING INDEX events_queue_joins (store_id=? AND ts>? AND ts<?)',
          'SEARCH events USING COVERING INDEX events_store_zone_ts (store_id=? AND zone_id=? AND ts>? AND ts<?)',
          'SEARCH events USING COVERING INDEX events_store_zone_ts (store_id=? AND zone_id=? AND ts>? AND ts<?)',
        ]);
      });
    }
  });
}
