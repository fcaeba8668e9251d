import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { storeEventSchema } from '../../../common/event.js';
import { openDb, type Db } from '../../../hub/store/db.js';
import { createEventRepository, eventKey, toRow } from '../../../hub/store/event-repository.js';
import { foldInProcess } from '../../../hub/store/rollup-repository.js';
import { makeEvent } from '../../fixtures/events.js';
import { DATABASES, dropPgSchema } from '../../helpers/hub.js';

/** Two different UUIDs whose XOR-folded 64-bit keys are equal: flip the same bits in both halves. */
function collidingPair(): [string, string] {
  const a = randomUUID();
  const hex = a.replace(/-/g, '');
  const flip = (h: string) => (BigInt(`0x${h}`) ^ 0x00ff00ff00ff00ffn).toString(16).padStart(16, '0');
  const b = flip(hex.slice(0, 16)) + flip(hex.slice(16));
  const fmt = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return [a, fmt(b)];
}

const rowsOf = (...events: Record<string, unknown>[]) => events.map((e) => toRow(storeEventSchema.parse(e), Date.now()));

for (const dbCase of DATABASES) {
  describe(`event repository on ${dbCase.name}`, () => {
    let db: Db;
    let schema: string | undefined;
    before(async () => {
      schema = dbCase.schema();
      db = await openDb(dbCase.url(), schema);
    });
    after(async () => {
      await db?.close();
      if (schema) await dropPgSchema(schema);
    });

    it('keeps two different event_ids whose 64-bit keys collide, and still de-duplicates both', async () => {
      const [a, b] = collidingPair();
      expect(a).to.not.equal(b);
      expect(eventKey(a)).to.equal(eventKey(b));
      const repo = createEventRepository(db);
      const first = await repo.insertRows(rowsOf(makeEvent({ event_id: a }), makeEvent({ event_id: b })));
      expect([...first].sort()).to.deep.equal([a, b].sort());
      const again = await repo.insertRows(rowsOf(makeEvent({ event_id: b }), makeEvent({ event_id: a })));
      expect(again.size).to.equal(0);
      await foldInProcess(db);
      const stored = await db.knex('events').whereIn('event_id', [a, b]).count({ n: '*' });
      expect(Number(stored[0]!.n)).to.equal(2);
    });

    it('stores batches larger than one INSERT chunk, keeping the first copy of an id repeated within the batch', async () => {
      const repo = createEventRepository(db);
      const events = Array.from({ length: 2500 }, () => makeEvent());
      const repeat = { ...events[10]!, visitor_id: 'VIS_second_copy' };
      events.splice(1700, 0, repeat);
      const inserted = await repo.insertRows(rowsOf(...events));
      expect(inserted.size).to.equal(2500);
      await foldInProcess(db);
      const row = await db.knex('events').where({ event_id: events[10]!.event_id }).first();
      expect(row.visitor_id).to.equal(events[10]!.visitor_id);
      const activity = await repo.storeActivity();
      expect(Number(activity.find((a) => a.store_id === 'STORE_BLR_002')?.event_count)).to.be.at.least(2500);
    });

    it('rolls back the whole transaction when a statement fails', async () => {
      const repo = createEventRepository(db);
      const before = await repo.count();
      const rows = rowsOf(makeEvent(), makeEvent());
      rows[1]!.store_id = null as unknown as string; // violates NOT NULL
      let failed = false;
      try {
        await repo.insertRows(rows);
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      expect(await repo.count()).to.equal(before);
    });
  });
}
