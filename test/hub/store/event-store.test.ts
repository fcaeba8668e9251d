import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../common/logger.js';
import { openDb, type Db } from '../../../hub/store/db.js';
import { eventKey } from '../../../hub/store/event-row.js';
import type { EventStore } from '../../../hub/store/event-store.js';
import { openEventStore } from '../../../hub/store/open-event-store.js';
import { FOLD_EVERY_EVENTS } from '../../../hub/store/rollup-fold.js';
import { makeEvent } from '../../fixtures/events.js';
import { collidingPair, rowsOf } from '../../helpers/event-rows.js';
import { DATABASES, dropPgSchema } from '../../helpers/hub.js';

const num = async (db: Db, sql: string) => {
  const res = await db.knex.raw(sql);
  const rows = (db.dialect === 'pg' ? (res as { rows: unknown[] }).rows : res) as Record<string, unknown>[];
  return Number(Object.values(rows[0]!)[0] ?? 0);
};

// Both databases, and SQLite once more as a file: there inserts run on the writer thread.
const CASES = [
  ...DATABASES,
  { name: 'SQLite file (writer thread)', url: () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'event-store-')), 'hub.db')}`, schema: () => undefined },
];

for (const dbCase of CASES) {
  describe(`event store on ${dbCase.name}`, () => {
    let db: Db;
    let store: EventStore;
    let schema: string | undefined;
    let url: string;
    before(async () => {
      schema = dbCase.schema();
      url = dbCase.url();
      db = await openDb(url, schema);
      store = await openEventStore(db, { logger: silentLogger() });
    });
    after(async () => {
      await store?.close();
      await db?.close();
      if (schema) await dropPgSchema(schema);
      if (url.startsWith('sqlite:/')) rmSync(join(url.slice('sqlite:'.length), '..'), { recursive: true, force: true });
    });

    it('keeps two different event_ids whose 64-bit keys collide, and still de-duplicates both', async () => {
      const [a, b] = collidingPair();
      expect(a).to.not.equal(b);
      expect(eventKey(a)).to.equal(eventKey(b));
      expect(await store.insert(rowsOf(makeEvent({ event_id: a }), makeEvent({ event_id: b })))).to.deep.equal(['stored', 'stored']);
      expect(await store.insert(rowsOf(makeEvent({ event_id: b }), makeEvent({ event_id: a })))).to.deep.equal(['duplicate', 'duplicate']);
      const stored = await db.knex('events').whereIn('event_id', [a, b]).count({ n: '*' });
      expect(Number(stored[0]!.n)).to.equal(2);
    });

    it('stores batches larger than one INSERT chunk, keeping the first copy of an id repeated within the batch', async () => {
      const before = await store.count('STORE_BLR_002');
      const events = Array.from({ length: 2500 }, () => makeEvent());
      events.splice(1700, 0, { ...events[10]!, visitor_id: 'VIS_second_copy' });
      const outcomes = await store.insert(rowsOf(...events));
      expect(outcomes.filter((o) => o === 'stored')).to.have.length(2500);
      expect(outcomes[1700]).to.equal('duplicate');
      const row = await db.knex('events').where({ event_id: events[10]!.event_id }).first();
      expect(row.visitor_id).to.equal(events[10]!.visitor_id);
      expect(await store.count('STORE_BLR_002')).to.equal(before + 2500);
      const activity = await store.storeActivity();
      expect(Number(activity.find((a) => a.store_id === 'STORE_BLR_002')?.event_count)).to.equal(before + 2500);
    });

    it('folds the rollups inside the writes once FOLD_EVERY_EVENTS wait, so the events past the watermark stay bounded', async () => {
      const pending = async () => (await num(db, 'SELECT MAX(id) AS n FROM events')) - (await num(db, "SELECT last_event_row AS n FROM rollup_state WHERE name = 'visitor_rollups'"));
      const before = await store.count();
      const rolledBefore = await num(db, 'SELECT COALESCE(SUM(n_events), 0) AS n FROM visitor_rollups');
      const waiting = await pending();
      expect(waiting).to.be.below(FOLD_EVERY_EVENTS);
      const batch = Array.from({ length: FOLD_EVERY_EVENTS - waiting }, () => makeEvent());
      await store.insert(rowsOf(...batch));
      expect(await pending()).to.equal(0);
      // The fold also moved the recent de-duplication keys into event_keys: copies are still recognised there.
      if (db.dialect === 'pg') expect(await num(db, 'SELECT COUNT(*) AS n FROM event_keys_recent')).to.equal(0);
      else expect(await num(db, "SELECT last_event_row AS n FROM rollup_state WHERE name = 'event_keys'")).to.equal(await num(db, 'SELECT MAX(id) AS n FROM events'));
      // Every event's key is in event_keys, but a collision's (claimed by its text in event_key_overflow).
      expect(await num(db, `SELECT COUNT(*) AS n FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_keys k WHERE k.event_row = e.id)
        AND NOT EXISTS (SELECT 1 FROM event_key_overflow o WHERE o.event_id = e.event_id)`)).to.equal(0);
      expect(await store.insert(rowsOf(batch[0]!, batch[batch.length - 1]!))).to.deep.equal(['duplicate', 'duplicate']);
      const total = await store.count();
      expect(total).to.equal(before + FOLD_EVERY_EVENTS - waiting);
      expect(rolledBefore).to.be.below(total);
      expect(await num(db, 'SELECT SUM(n_events) AS n FROM visitor_rollups')).to.equal(total);
      expect(await num(db, 'SELECT SUM(n_events) AS n FROM zone_rollups')).to.equal(total);
      await store.insert(rowsOf(makeEvent()));
      expect(await pending()).to.equal(1);
    });

    it('reads a window of one store oldest first', async () => {
      const storeId = `STORE_W_${randomUUID().slice(0, 8)}`;
      const t0 = Date.parse('2026-03-03T10:00:00Z');
      await store.insert(rowsOf(...[2, 0, 1, 5].map((m) => makeEvent({ store_id: storeId, timestamp: new Date(t0 + m * 60_000).toISOString() }))));
      const got = await store.window(storeId, t0, t0 + 3 * 60_000);
      expect(got.map((r) => r.ts - t0)).to.deep.equal([0, 60_000, 120_000]);
      expect(got[0]!.is_staff).to.equal(false);
    });

    it('rolls back the whole transaction when a statement fails, and says healthy', async () => {
      const before = await store.count();
      const rows = rowsOf(makeEvent(), makeEvent());
      rows[1]!.store_id = null as unknown as string; // violates NOT NULL on both databases
      let failed: unknown = null;
      await store.insert(rows).catch((err) => (failed = err));
      expect(failed).to.be.instanceOf(Error);
      expect(await store.count()).to.equal(before);
      expect(await store.health()).to.deep.equal({ warnings: [] });
    });
  });
}
