import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { storeEventSchema } from '../../../common/event.js';
import { silentLogger } from '../../../common/logger.js';
import { openDb, type Db } from '../../../hub/store/db.js';
import { createEventRepository, eventKey, insertRowsWith, toRow } from '../../../hub/store/event-repository.js';
import { migrationSource } from '../../../hub/store/migrations.js';
import { foldInProcess, foldStepWith } from '../../../hub/store/rollup-repository.js';
import { createSqliteWriter } from '../../../hub/store/sqlite-writer.js';
import { inSqliteTransaction, sqliteExec, withWriteTx } from '../../../hub/store/write-tx.js';
import { makeEvent } from '../../fixtures/events.js';

const rowsOf = (...events: Record<string, unknown>[]) => events.map((e) => toRow(storeEventSchema.parse(e), Date.now()));
const n = async (db: Db, sql: string, b: unknown[] = []) => Number(((await db.knex.raw(sql, b as never)) as { n: number }[])[0]!.n);

/** Two different UUIDs whose XOR-folded 64-bit keys are equal: flip the same bits in both halves. */
function collidingPair(): [string, string] {
  const hex = randomUUID().replace(/-/g, '');
  const flip = (h: string) => (BigInt(`0x${h}`) ^ 0x0f0f0f0f0f0f0f0fn).toString(16).padStart(16, '0');
  const fmt = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return [fmt(hex), fmt(flip(hex.slice(0, 16)) + flip(hex.slice(16)))];
}

describe('SQLite ingest staging (events_staged → fold → events)', () => {
  let db: Db;
  beforeEach(async () => {
    db = await openDb('sqlite::memory:');
  });
  afterEach(async () => db.close());

  it('counts an id as a duplicate while it is staged and after it is folded, keeping the first content', async () => {
    const repo = createEventRepository(db);
    const first = makeEvent({ visitor_id: 'VIS_first' });
    expect([...(await repo.insertRows(rowsOf(first)))]).to.deep.equal([first.event_id]);
    expect(await n(db, 'SELECT COUNT(*) AS n FROM events_staged')).to.equal(1);
    expect((await repo.insertRows(rowsOf({ ...first, visitor_id: 'VIS_staged_copy' }))).size).to.equal(0);
    expect(await foldInProcess(db)).to.equal(1);
    expect(await n(db, 'SELECT COUNT(*) AS n FROM events_staged')).to.equal(0);
    expect((await repo.insertRows(rowsOf({ ...first, visitor_id: 'VIS_folded_copy' }))).size).to.equal(0);
    await foldInProcess(db);
    const rows = await db.knex('events').where({ event_id: first.event_id });
    expect(rows.map((r: { visitor_id: string }) => r.visitor_id)).to.deep.equal(['VIS_first']);
    expect(await repo.count()).to.equal(1);
  });

  it('fold keeps the staged ids and their order, fills event_keys and advances the rollup watermark', async () => {
    const repo = createEventRepository(db);
    const a = rowsOf(...Array.from({ length: 30 }, () => makeEvent()));
    const b = rowsOf(...Array.from({ length: 20 }, () => makeEvent()));
    await repo.insertRows(a);
    await foldInProcess(db);
    await repo.insertRows(b);
    const staged = (await db.knex('events_staged').select('id', 'event_id').orderBy('id')) as { id: number; event_id: string }[];
    expect(staged[0]!.id).to.be.greaterThan(await n(db, 'SELECT MAX(id) AS n FROM events'));
    await foldInProcess(db);
    const ids = (await db.knex('events').select('id', 'event_id').orderBy('id')) as { id: number; event_id: string }[];
    expect(ids.map((r) => r.event_id)).to.deep.equal([...a, ...b].map((r) => r.event_id));
    expect(ids.slice(30)).to.deep.equal(staged);
    expect(await n(db, 'SELECT COUNT(*) AS n FROM event_keys')).to.equal(50);
    expect(await n(db, "SELECT last_event_row AS n FROM rollup_state WHERE name = 'visitor_rollups'")).to.equal(ids.at(-1)!.id);
    expect(await n(db, 'SELECT SUM(n_events) AS n FROM visitor_rollups')).to.equal(50);
  });

  it('keeps two ids whose keys collide, one folded and one staged, and de-duplicates both afterwards', async () => {
    const [x, y] = collidingPair();
    expect(eventKey(x)).to.equal(eventKey(y));
    const repo = createEventRepository(db);
    await repo.insertRows(rowsOf(makeEvent({ event_id: x })));
    await foldInProcess(db);
    expect([...(await repo.insertRows(rowsOf(makeEvent({ event_id: y }))))]).to.deep.equal([y]);
    expect((await repo.insertRows(rowsOf(makeEvent({ event_id: x }), makeEvent({ event_id: y })))).size).to.equal(0);
    await foldInProcess(db);
    expect((await repo.insertRows(rowsOf(makeEvent({ event_id: y }), makeEvent({ event_id: x })))).size).to.equal(0);
    expect(await repo.count()).to.equal(2);
    expect(await n(db, 'SELECT COUNT(*) AS n FROM event_keys')).to.equal(1);
  });

  it('forgets its in-memory staged keys when a transaction rolls back, in both directions', async () => {
    const repo = createEventRepository(db);
    const rows = rowsOf(makeEvent(), makeEvent());
    // Staged, then rolled back: the ids were never stored, so they must be accepted next time.
    const boom = () => Promise.reject(new Error('boom'));
    await withWriteTx(db, async (exec) => (await insertRowsWith(exec, 'sqlite', rows), boom())).catch(() => undefined);
    expect(await repo.count()).to.equal(0);
    expect((await repo.insertRows(rows)).size).to.equal(2);
    // Folded, then rolled back: the ids are still staged, so a copy must still be a duplicate.
    await withWriteTx(db, async (exec) => (await foldStepWith(exec, 'sqlite'), boom())).catch(() => undefined);
    expect(await n(db, 'SELECT COUNT(*) AS n FROM events_staged')).to.equal(2);
    expect((await repo.insertRows(rows)).size).to.equal(0);
    expect(await repo.count()).to.equal(2);
  });

  it('continues the ids of events written before the staging migration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staging-mig-'));
    const file = join(dir, 'old.db');
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      for (let i = 0; i < 4; i++) await knex.migrate.up({ migrationSource });
      const row = { ...toRow(storeEventSchema.parse(makeEvent()), Date.now()), is_staff: 0 };
      await knex('events').insert([{ ...row, id: 41 }]);
      await knex.destroy();
      const migrated = await openDb(`sqlite:${file}`);
      const repo = createEventRepository(migrated);
      await repo.insertRows(rowsOf(makeEvent()));
      expect(await n(migrated, 'SELECT MIN(id) AS n FROM events_staged')).to.equal(42);
      await foldInProcess(migrated);
      expect(await repo.count()).to.equal(2);
      expect(await n(migrated, 'SELECT SUM(n_events) AS n FROM visitor_rollups')).to.equal(2);
      await migrated.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a crash between a fold and the stager\'s delete moves nothing twice (rows left in both files)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staging-crash-'));
    const file = join(dir, 'hub.db');
    const fileDb = await openDb(`sqlite:${file}`);
    let writer = createSqliteWriter(file, silentLogger());
    try {
      const events = Array.from({ length: 40 }, () => makeEvent());
      await writer.insertRows(rowsOf(...events.slice(0, 30)));
      await writer.close();
      // The folder's transaction, committed, and then the "crash": the stager never deletes what was moved.
      const conn = new Database(file);
      conn.prepare('ATTACH DATABASE ? AS staging').run(`${file}-staging`);
      const step = await inSqliteTransaction(conn, sqliteExec(conn), (x) => foldStepWith(x, 'sqlite', { stagingFile: true }), 'BEGIN');
      conn.close();
      expect(step.moved).to.equal(30);
      expect(await n(fileDb, 'SELECT COUNT(*) AS n FROM staging.events_staged')).to.equal(30);
      // After the restart: copies are still duplicates, new ids are stored, and the next fold counts everything once.
      writer = createSqliteWriter(file, silentLogger());
      expect((await writer.insertRows(rowsOf(...events.slice(20)))).size).to.equal(10);
      await writer.fold();
      expect(await n(fileDb, 'SELECT COUNT(*) AS n FROM main.events')).to.equal(40);
      expect(await n(fileDb, 'SELECT COUNT(*) AS n FROM event_keys')).to.equal(40);
      expect(await n(fileDb, 'SELECT SUM(n_events) AS n FROM visitor_rollups')).to.equal(40);
      expect(await n(fileDb, "SELECT event_count AS n FROM store_activity WHERE store_id = 'STORE_BLR_002'")).to.equal(40);
      expect(await n(fileDb, 'SELECT COUNT(*) AS n FROM staging.events_staged')).to.equal(0);
      expect(await createEventRepository(fileDb).count()).to.equal(40);
    } finally {
      await writer.close();
      await fileDb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the writer threads fold by themselves once inserts pause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staging-idle-'));
    const fileDb = await openDb(`sqlite:${join(dir, 'hub.db')}`);
    const writer = createSqliteWriter(join(dir, 'hub.db'), silentLogger());
    try {
      await writer.insertRows(rowsOf(...Array.from({ length: 300 }, () => makeEvent())));
      let folded = 0;
      for (let i = 0; i < 200 && folded < 300; i++) {
        await new Promise((r) => setTimeout(r, 25));
        folded = await n(fileDb, "SELECT last_event_row AS n FROM rollup_state WHERE name = 'visitor_rollups'");
      }
      expect(folded).to.equal(300);
      expect(await n(fileDb, 'SELECT COUNT(*) AS n FROM main.events')).to.equal(300);
      expect(await createEventRepository(fileDb).count()).to.equal(300);
    } finally {
      await writer.close();
      await fileDb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the writer threads stage (staging file), fold (hub file) and de-duplicate, sharing the file with the hub connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staging-thread-'));
    const fileDb = await openDb(`sqlite:${join(dir, 'hub.db')}`);
    const writer = createSqliteWriter(join(dir, 'hub.db'), silentLogger());
    try {
      const events = Array.from({ length: 2500 }, () => makeEvent());
      expect((await writer.insertRows(rowsOf(...events))).size).to.equal(2500);
      expect((await writer.insertRows(rowsOf(...events.slice(0, 100), makeEvent()))).size).to.equal(1);
      // The thread folds on its own once inserts pause (FOLD_IDLE_MS), so wherever the rows are, they are 2501.
      expect(await createEventRepository(fileDb).count()).to.equal(2501);
      await writer.fold();
      expect(await n(fileDb, 'SELECT COUNT(*) AS n FROM main.events')).to.equal(2501);
      // The stager has dropped what the folder moved: the staging file is empty again.
      expect(await n(fileDb, 'SELECT COUNT(*) AS n FROM staging.events_staged')).to.equal(0);
      expect(await n(fileDb, "SELECT event_count AS n FROM store_activity WHERE store_id = 'STORE_BLR_002'")).to.equal(2501);
      expect((await writer.insertRows(rowsOf(...events.slice(2000)))).size).to.equal(0);
      // A 64-bit key collision from the stager's side: the overflow table is in the hub file.
      const [x, y] = collidingPair();
      expect((await writer.insertRows(rowsOf(makeEvent({ event_id: x }), makeEvent({ event_id: y })))).size).to.equal(2);
      await writer.fold();
      expect((await writer.insertRows(rowsOf(makeEvent({ event_id: y }), makeEvent({ event_id: x })))).size).to.equal(0);
      expect(await createEventRepository(fileDb).count()).to.equal(2503);
    } finally {
      await writer.close();
      await fileDb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
