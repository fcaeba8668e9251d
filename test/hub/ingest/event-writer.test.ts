import { expect } from 'chai';
import { storeEventSchema } from '../../../common/event.js';
import { createEventWriter } from '../../../hub/ingest/event-writer.js';
import { openDb, type Db } from '../../../hub/store/db.js';
import { createEventRepository, type EventRow } from '../../../hub/store/event-repository.js';
import { makeEvent } from '../../fixtures/events.js';

const events = (n: number) => Array.from({ length: n }, () => storeEventSchema.parse(makeEvent()));

describe('event writer (group commit)', () => {
  let db: Db;
  beforeEach(async () => {
    db = await openDb('sqlite::memory:');
  });
  afterEach(async () => db.close());

  /** The real repository, recording when each call starts and ends. */
  function recorded(delayMs = 0) {
    const repo = createEventRepository(db);
    const log: string[] = [];
    let calls = 0;
    return {
      log,
      repo: {
        async insertRows(rows: EventRow[]) {
          const n = ++calls;
          log.push(`start ${n} (${rows.length})`);
          await new Promise((r) => setTimeout(r, delayMs));
          const out = await repo.insertRows(rows);
          log.push(`end ${n}`);
          return out;
        },
      },
    };
  }

  it('commits batches that arrive together in one transaction, the first copy of an id being the stored one', async () => {
    const { repo, log } = recorded();
    const writer = createEventWriter(repo);
    const [a, b] = [events(3), events(2)];
    const results = await Promise.all([writer.write(a), writer.write([...b, a[0]!]), writer.write([a[1]!])]);
    expect(log).to.deep.equal(['start 1 (7)', 'end 1']);
    expect(results.map((r) => r.stored)).to.deep.equal([[true, true, true], [true, true, false], [false]]);
  });

  it('pipelined: hands the next group over before the previous one commits, keeping arrival order', async () => {
    const { repo, log } = recorded(30);
    const writer = createEventWriter(repo, { pipelined: true });
    const a = events(2);
    const first = writer.write(a);
    await new Promise((r) => setImmediate(r));
    const second = writer.write([a[0]!, ...events(1)]);
    const [r1, r2] = await Promise.all([first, second]);
    expect(log.slice(0, 2)).to.deep.equal(['start 1 (2)', 'start 2 (2)']);
    expect(r1.stored).to.deep.equal([true, true]);
    expect(r2.stored).to.deep.equal([false, true]);
    await writer.idle();
    expect(await createEventRepository(db).count()).to.equal(3);
  });
});
