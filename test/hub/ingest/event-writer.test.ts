import { expect } from 'chai';
import { storeEventSchema, type StoreEvent } from '../../../common/event.js';
import { silentLogger } from '../../../common/logger.js';
import { createEventWriter } from '../../../hub/ingest/event-writer.js';
import { openDb, type Db } from '../../../hub/store/db.js';
import type { EventRow } from '../../../hub/store/event-row.js';
import type { EventStore } from '../../../hub/store/event-store.js';
import { openEventStore } from '../../../hub/store/open-event-store.js';
import { makeEvent } from '../../fixtures/events.js';
import { DATABASES, dropPgSchema } from '../../helpers/hub.js';

const events = (n: number) => Array.from({ length: n }, () => storeEventSchema.parse(makeEvent()));
/** An event past the contract that the database still refuses (store_id is NOT NULL on both databases). */
const refused = (): StoreEvent => ({ ...storeEventSchema.parse(makeEvent()), store_id: null as unknown as string });

for (const dbCase of DATABASES) {
  describe(`event writer (group commit) on ${dbCase.name}`, () => {
    let db: Db;
    let store: EventStore;
    let schema: string | undefined;
    beforeEach(async () => {
      schema = dbCase.schema();
      db = await openDb(dbCase.url(), schema);
      store = await openEventStore(db, { logger: silentLogger() });
    });
    afterEach(async () => {
      await store.close();
      await db.close();
      if (schema) await dropPgSchema(schema);
    });

    /** The real store, recording each insert call. */
    function recorded(delayMs = 0, inFlightGroups = 1, gate: Promise<void> = Promise.resolve()) {
      const log: string[] = [];
      let calls = 0;
      return {
        log,
        store: {
          inFlightGroups,
          async insert(rows: EventRow[]) {
            const n = ++calls;
            log.push(`start ${n} (${rows.length})`);
            await new Promise((r) => setTimeout(r, delayMs));
            await gate;
            try {
              return await store.insert(rows);
            } finally {
              log.push(`end ${n}`);
            }
          },
        },
      };
    }

    it('commits batches that arrive together in one transaction, the first copy of an id being the stored one', async () => {
      const { store: s, log } = recorded();
      const writer = createEventWriter(s);
      const [a, b] = [events(3), events(2)];
      const results = await Promise.all([writer.write(a), writer.write([...b, a[0]!]), writer.write([a[1]!])]);
      expect(log).to.deep.equal(['start 1 (7)', 'end 1']);
      expect(results.map((r) => r.outcomes)).to.deep.equal([['stored', 'stored', 'stored'], ['stored', 'stored', 'duplicate'], ['duplicate']]);
    });

    it('hands the next group over before the previous one commits when the store queues, keeping arrival order', async () => {
      // The first group is held until the second has been handed over, however slowly this machine runs the test.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const { store: s, log } = recorded(0, 2, gate);
      const writer = createEventWriter(s);
      const a = events(2);
      const first = writer.write(a);
      await new Promise((r) => setImmediate(r));
      const second = writer.write([a[0]!, ...events(1)]);
      await new Promise((r) => setImmediate(r));
      release();
      const [r1, r2] = await Promise.all([first, second]);
      expect(log.slice(0, 2)).to.deep.equal(['start 1 (2)', 'start 2 (2)']);
      expect(r1.outcomes).to.deep.equal(['stored', 'stored']);
      expect(r2.outcomes).to.deep.equal(['duplicate', 'stored']);
      await writer.idle();
      expect(await store.count()).to.equal(3);
    });

    it('with a group committing, holds the next one until that commit is due to end, so the requests of the meantime commit together', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let held = false;
      // Every commit takes 150 ms or more; the second is also held by the gate until the requests below are queued.
      const { store: s, log } = recorded(150, 2);
      const slow = { ...s, insert: (rows: EventRow[]) => (held ? gate.then(() => s.insert(rows)) : s.insert(rows)) };
      const writer = createEventWriter(slow);
      await writer.write(events(1)); // the writer learns how long a commit takes per event
      await new Promise((r) => setTimeout(r, 30)); // past the wait for the callers just answered (gather)
      held = true;
      const committing = writer.write(events(2));
      await new Promise((r) => setImmediate(r));
      held = false;
      const later = [writer.write(events(1)), writer.write(events(2)), writer.write(events(3))];
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      release();
      await Promise.all([committing, ...later]);
      // Handed over at once, the first of them would have made a group of its own.
      expect(log.filter((l) => l.startsWith('start'))).to.deep.equal(['start 1 (1)', 'start 2 (2)', 'start 3 (6)']);
      expect(await store.count()).to.equal(9);
    });

    it('a failed group commit takes no innocent request with it: only the event the database refuses fails', async () => {
      const { store: s, log } = recorded();
      const writer = createEventWriter(s);
      const [a, b, c] = [events(3), events(2), events(4)];
      const bad = refused();
      const results = await Promise.all([writer.write(a), writer.write([b[0]!, bad, b[1]!]), writer.write(c)]);
      expect(log[0]).to.equal('start 1 (10)'); // the group, which fails; then each request, then each event of the bad one
      expect(results[0]!.outcomes).to.deep.equal(['stored', 'stored', 'stored']);
      expect(results[1]!.outcomes[0]).to.equal('stored');
      expect(results[1]!.outcomes[1]).to.have.property('error').that.matches(/the database refused this event/);
      expect(results[1]!.outcomes[2]).to.equal('stored');
      expect(results[2]!.outcomes).to.deep.equal(['stored', 'stored', 'stored', 'stored']);
      expect(await store.count()).to.equal(9);
      // The stored copies are duplicates afterwards, as always.
      expect((await writer.write([a[0]!, b[1]!])).outcomes).to.deep.equal(['duplicate', 'duplicate']);
    });

    it('finds a refused event among many by halves: a few transactions, not one per event', async () => {
      const { store: s, log } = recorded();
      const writer = createEventWriter(s);
      const batch = events(64);
      batch.splice(37, 0, refused());
      const { outcomes } = await writer.write(batch);
      expect(outcomes.filter((o) => o === 'stored')).to.have.length(64);
      expect(outcomes[37]).to.have.property('error');
      expect(log.filter((l) => l.startsWith('start')).length).to.be.at.most(1 + 2 * Math.ceil(Math.log2(65)));
    });
  });
}
