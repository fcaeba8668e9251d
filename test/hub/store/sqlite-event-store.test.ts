import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../../hub/store/db.js';
import { migrationSource } from '../../../hub/store/migrations.js';
import { EVENT_COLUMNS, eventKey } from '../../../hub/store/event-row.js';
import { openEventStore } from '../../../hub/store/open-event-store.js';
import { committedMarkFile, readCommittedMark } from '../../../hub/store/sqlite-committed-mark.js';
import { makeEvent } from '../../fixtures/events.js';
import { captureLogger, startTestHub } from '../../helpers/hub.js';
import { rowsOf } from '../../helpers/event-rows.js';

describe('SQLite event store on a file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function open(file: string) {
    const { logger, lines } = captureLogger();
    const db = await openDb(`sqlite:${file}`);
    const store = await openEventStore(db, { logger });
    return { db, store, lines, close: async () => (await store.close(), await db.close()) };
  }

  it('detects at start that acknowledged events are gone (database file replaced), loudly and in health', async () => {
    const file = join(dir, 'hub.db');
    const first = await open(file);
    expect((await first.store.insert(rowsOf(...Array.from({ length: 30 }, () => makeEvent())))).every((o) => o === 'stored')).to.equal(true);
    await first.close();
    expect(readCommittedMark(file)).to.equal(30);
    // The file and its WAL are gone (deleted, or an old backup restored); the committed mark beside it remains.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    const second = await open(file);
    try {
      const { warnings } = await second.store.health();
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/up to 30 acknowledged events are lost/);
      expect(second.lines.some((l) => l.event === 'storage_events_lost')).to.equal(true);
    } finally {
      await second.close();
    }
  });

  it('says so in GET /health (degraded, the warning first) on a hub started on such a file', async () => {
    const file = join(dir, 'hub.db');
    const first = await open(file);
    await first.store.insert(rowsOf(makeEvent(), makeEvent()));
    await first.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    const hub = await startTestHub({ DATABASE_URL: `sqlite:${file}` });
    try {
      const res = await fetch(`${hub.url}/health`);
      const body = (await res.json()) as { status: string; warnings: string[] };
      expect(body.status).to.equal('degraded');
      expect(body.warnings[0]).to.match(/up to 2 acknowledged events are lost/);
    } finally {
      await hub.close();
    }
  });

  it('an intact file says nothing, across restarts', async () => {
    const file = join(dir, 'hub.db');
    for (let i = 0; i < 2; i++) {
      const s = await open(file);
      await s.store.insert(rowsOf(makeEvent()));
      expect(await s.store.health()).to.deep.equal({ warnings: [] });
      await s.close();
    }
    expect(readCommittedMark(file)).to.equal(2);
    writeFileSync(committedMarkFile(file), '1\n'); // a mark behind the file (written before the last commit) is fine
    const s = await open(file);
    expect(await s.store.health()).to.deep.equal({ warnings: [] });
    await s.close();
  });

  it('recognises copies of the newest events after a restart: their keys, kept in the writer\'s memory, are read back from the events', async () => {
    const file = join(dir, 'hub.db');
    const events = Array.from({ length: 40 }, () => makeEvent());
    const first = await open(file);
    expect((await first.store.insert(rowsOf(...events))).every((o) => o === 'stored')).to.equal(true);
    // None of these keys is in event_keys yet: they wait for the next fold.
    expect(Number((await first.db.knex('event_keys').count({ n: '*' }))[0]!.n)).to.equal(0);
    await first.close();
    const second = await open(file);
    try {
      expect(await second.store.insert(rowsOf(events[0]!, makeEvent(), events[39]!))).to.deep.equal(['duplicate', 'stored', 'duplicate']);
      expect(await second.store.count()).to.equal(41);
    } finally {
      await second.close();
    }
  });

  it('forgets the keys of a transaction that failed after claiming them: the same events sent again are stored', async () => {
    const file = join(dir, 'hub.db');
    const s = await open(file);
    try {
      // Fails the transaction at its last statements (store_activity comes after the keys are claimed).
      await s.db.knex.raw("CREATE TRIGGER refuse_store BEFORE INSERT ON store_activity WHEN NEW.store_id = 'STORE_REFUSED' BEGIN SELECT RAISE(ABORT, 'refused'); END");
      const good = Array.from({ length: 3 }, () => makeEvent());
      let failed = false;
      await s.store.insert(rowsOf(...good, makeEvent({ store_id: 'STORE_REFUSED' }))).catch(() => (failed = true));
      expect(failed).to.equal(true);
      expect(await s.store.insert(rowsOf(...good))).to.deep.equal(['stored', 'stored', 'stored']);
      expect(await s.store.insert(rowsOf(...good))).to.deep.equal(['duplicate', 'duplicate', 'duplicate']);
    } finally {
      await s.close();
    }
  });

  it('migration 012 moves the keys of the former recent-keys table into event_keys, and copies are still recognised', async () => {
    const db = await openDb(`sqlite:${join(dir, 'hub.db')}`);
    try {
      await db.knex.migrate.down({ migrationSource, name: '012_sqlite_recent_keys_in_memory' });
      const [row] = rowsOf(makeEvent());
      // What the former writer left: an event past every fold, its key only in event_keys_recent.
      const [id] = await db.knex('events').insert({ ...row, is_staff: 0 }).returning('id');
      await db.knex('event_keys_recent').insert({ k: eventKey(row!.event_id), event_row: (id as { id: number }).id ?? id });
      await db.knex.migrate.latest({ migrationSource });
      expect(await db.knex.schema.hasTable('event_keys_recent')).to.equal(false);
      expect(Number((await db.knex('event_keys').count({ n: '*' }))[0]!.n)).to.equal(1);
      const store = await openEventStore(db, { logger: captureLogger().logger });
      expect(await store.insert(rowsOf(makeEvent({ event_id: row!.event_id })))).to.deep.equal(['duplicate']);
      await store.close();
    } finally {
      await db.close();
    }
  });

  it('moves the events of an old version\'s staging file into the database, and removes the file', async () => {
    const file = join(dir, 'hub.db');
    const first = await open(file);
    const stored = makeEvent();
    await first.store.insert(rowsOf(stored));
    await first.close();
    // What the former stager left: acknowledged rows, ids continuing the database's, already de-duplicated.
    const staging = new Database(`${file}-staging`);
    staging.exec(`CREATE TABLE events_staged (id INTEGER PRIMARY KEY AUTOINCREMENT, k INTEGER NOT NULL, ${EVENT_COLUMNS.map((c) => `${c}`).join(', ')})`);
    const rows = rowsOf(stored, makeEvent(), makeEvent());
    rows.forEach((r, i) => staging.prepare(`INSERT INTO events_staged (id, k, ${EVENT_COLUMNS.join(', ')}) VALUES (${Array(EVENT_COLUMNS.length + 2).fill('?').join(',')})`)
      .run(i + 1, eventKey(r.event_id), ...EVENT_COLUMNS.map((c) => (c === 'is_staff' ? 0 : r[c]))));
    staging.close();
    const second = await open(file);
    try {
      expect(await second.store.count()).to.equal(3);
      expect(second.lines.some((l) => l.event === 'legacy_staging_imported' && l.events === 2)).to.equal(true);
      expect(await second.store.insert(rowsOf(makeEvent({ event_id: rows[2]!.event_id })))).to.deep.equal(['duplicate']);
      const sums = await second.db.knex('visitor_rollups').sum({ n: 'n_events' });
      expect(Number(sums[0]?.n)).to.equal(3);
    } finally {
      await second.close();
    }
  });

  it('migration 007 moves rows staged in the database itself (an older version\'s :memory: and tools) into events', async () => {
    const db = await openDb(`sqlite:${join(dir, 'hub.db')}`);
    try {
      // Back to the table of the former write path (by name: later migrations stay applied).
      await db.knex.migrate.down({ migrationSource, name: '007_drop_event_staging' });
      const [row] = rowsOf(makeEvent());
      await db.knex('events_staged').insert({ id: 7, k: eventKey(row!.event_id).toString(), ...row, is_staff: 0 });
      await db.knex.migrate.latest({ migrationSource });
      expect((await db.knex('events').where({ id: 7 }).first()).event_id).to.equal(row!.event_id);
      const store = await openEventStore(db, { logger: captureLogger().logger });
      expect(await store.insert(rowsOf(makeEvent({ event_id: row!.event_id })))).to.deep.equal(['duplicate']);
      expect(await db.knex.schema.hasTable('events_staged')).to.equal(false);
      await store.close();
    } finally {
      await db.close();
    }
  });
});
