import type { Knex } from 'knex';
import { ROLLUP_BUCKET_MS } from '../analytics/rollup.js';
import { eventKey } from './event-row.js';
import { KPI_SQLITE_INDEXES, QUEUE_JOINS_SQLITE_INDEX, ZONE_SQLITE_INDEX } from './kpi-indexes.js';

/**
 * Migrations live in code (not files on disk) so they run the same under tsx, in a bundle and in Docker.
 * Append new ones; never edit one that has shipped. Time columns are BIGINT epoch milliseconds (UTC).
 * A new table: a migration at the end of this list (next number), then its SQL in a `*-repository.ts` of this
 * folder (SQL lives only in repositories), tested on both databases (test/helpers/hub.ts, DATABASES).
 */
interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** The former SQLite staging table (created by 005, dropped by 007). */
const EVENTS_STAGED_TABLE = `CREATE TABLE events_staged (id INTEGER PRIMARY KEY AUTOINCREMENT, k INTEGER NOT NULL,
  event_id VARCHAR(36) NOT NULL, store_id VARCHAR(64) NOT NULL, camera_id VARCHAR(64) NOT NULL, visitor_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(32) NOT NULL, ts BIGINT NOT NULL, zone_id VARCHAR(64), dwell_ms BIGINT NOT NULL, is_staff BOOLEAN NOT NULL,
  confidence FLOAT NOT NULL, queue_depth INTEGER, session_seq INTEGER NOT NULL, metadata TEXT NOT NULL, received_at BIGINT NOT NULL)`;

const migrations: Record<string, Migration> = {
  '001_events': {
    async up(knex) {
      await knex.schema.createTable('events', (t) => {
        t.bigIncrements('id').primary();
        // No unique index here: de-duplication goes through event_keys (below), see docs/CHOICES.md.
        t.string('event_id', 36).notNullable();
        t.string('store_id', 64).notNullable();
        t.string('camera_id', 64).notNullable();
        t.string('visitor_id', 64).notNullable();
        t.string('event_type', 32).notNullable();
        t.bigInteger('ts').notNullable();
        t.string('zone_id', 64).nullable();
        t.bigInteger('dwell_ms').notNullable();
        t.boolean('is_staff').notNullable();
        t.double('confidence').notNullable();
        t.integer('queue_depth').nullable();
        t.integer('session_seq').notNullable();
        t.text('metadata').notNullable();
        t.bigInteger('received_at').notNullable();
        // The metrics API's access paths: by time, by visitor, by type and time.
        t.index(['store_id', 'ts'], 'events_store_ts');
        t.index(['store_id', 'visitor_id'], 'events_store_visitor');
        t.index(['store_id', 'event_type', 'ts'], 'events_store_type_ts');
      });
      // De-duplication key: a 64-bit fold of the event_id → the events row that holds it. An 8-byte integer
      // primary key is ~4× smaller than a unique index on 36-char text, so each commit rewrites far fewer
      // random index pages (bench:ingest: 63k vs 32k rows/s raw). Exactness: a key conflict is verified
      // against the stored event_id; a true 64-bit collision goes to event_key_overflow.
      await knex.schema.createTable('event_keys', (t) => {
        t.bigInteger('k').primary();
        t.bigInteger('event_row').notNullable();
      });
      await knex.schema.createTable('event_key_overflow', (t) => {
        t.string('event_id', 36).primary();
      });
      await knex.schema.createTable('store_activity', (t) => {
        t.string('store_id', 64).primary();
        t.bigInteger('last_event_ts').notNullable();
        t.bigInteger('last_received_at').notNullable();
        t.bigInteger('event_count').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('store_activity');
      await knex.schema.dropTable('event_key_overflow');
      await knex.schema.dropTable('event_keys');
      await knex.schema.dropTable('events');
    },
  },
  '002_pos_and_layouts': {
    async up(knex) {
      await knex.schema.createTable('pos_transactions', (t) => {
        t.string('transaction_id', 64).primary();
        t.string('store_id', 64).notNullable();
        t.bigInteger('ts').notNullable();
        t.double('basket_value_inr').notNullable();
        t.bigInteger('received_at').notNullable();
        t.index(['store_id', 'ts'], 'pos_store_ts');
      });
      await knex.schema.createTable('store_layouts', (t) => {
        t.string('store_id', 64).primary();
        t.text('layout').notNullable();
        t.bigInteger('updated_at').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('store_layouts');
      await knex.schema.dropTable('pos_transactions');
    },
  },
  '003_cameras': {
    async up(knex) {
      await knex.schema.createTable('camera_status', (t) => {
        t.string('store_id', 64).notNullable();
        t.string('camera_id', 64).notNullable();
        t.string('state', 16).notNullable();
        t.bigInteger('last_heartbeat').notNullable();
        t.double('fps').nullable();
        t.integer('spool_depth').nullable();
        t.text('payload').notNullable();
        t.primary(['store_id', 'camera_id']);
      });
      await knex.schema.createTable('camera_heatmaps', (t) => {
        t.string('store_id', 64).notNullable();
        t.string('camera_id', 64).notNullable();
        t.bigInteger('minute_ts').notNullable();
        t.integer('cols').notNullable();
        t.integer('rows').notNullable();
        t.text('counts').notNullable();
        t.primary(['store_id', 'camera_id', 'minute_ts']);
      });
      await knex.schema.createTable('camera_backgrounds', (t) => {
        t.string('store_id', 64).notNullable();
        t.string('camera_id', 64).notNullable();
        t.string('mime', 32).notNullable();
        t.text('image_base64').notNullable();
        t.bigInteger('updated_at').notNullable();
        t.primary(['store_id', 'camera_id']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('camera_backgrounds');
      await knex.schema.dropTable('camera_heatmaps');
      await knex.schema.dropTable('camera_status');
    },
  },
  // Analytics rollups: per visitor, zone and 30-minute bucket, and per zone and bucket, kept up to date from the
  // events table by hub/store/rollup-fold.ts (watermark on events.id); docs/CHOICES.md, "Analytics rollups".
  '004_analytics_rollups': {
    async up(knex) {
      const visitorCols = `store_id VARCHAR(64) NOT NULL, bucket_ts BIGINT NOT NULL, visitor_id VARCHAR(64) NOT NULL,
        zone_id VARCHAR(64) NOT NULL, is_staff BOOLEAN NOT NULL, n_events INTEGER NOT NULL, first_in BIGINT, first_entry BIGINT,
        last_exit BIGINT, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, zone_events INTEGER NOT NULL,
        joins INTEGER NOT NULL, abandons INTEGER NOT NULL, dwell_sum BIGINT NOT NULL, dwell_n INTEGER NOT NULL,
        PRIMARY KEY (store_id, bucket_ts, visitor_id, zone_id, is_staff)`;
      const zoneCols = `store_id VARCHAR(64) NOT NULL, bucket_ts BIGINT NOT NULL, zone_id VARCHAR(64) NOT NULL,
        is_staff BOOLEAN NOT NULL, n_events INTEGER NOT NULL, dwell_sum BIGINT NOT NULL, dwell_n INTEGER NOT NULL,
        first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, PRIMARY KEY (store_id, bucket_ts, zone_id, is_staff)`;
      // zone_id is '' for events without a zone (ENTRY, EXIT, REENTRY). On SQLite the tables are WITHOUT ROWID:
      // clustered on the key, a window is one contiguous range read (bench:query: about half the time).
      const sqlite = knex.client.config.client === 'better-sqlite3';
      const suffix = sqlite ? ' WITHOUT ROWID' : '';
      await knex.raw(`CREATE TABLE visitor_rollups (${visitorCols})${suffix}`);
      await knex.raw(`CREATE TABLE zone_rollups (${zoneCols})${suffix}`);
      await knex.schema.createTable('rollup_state', (t) => {
        t.string('name', 64).primary();
        t.bigInteger('last_event_row').notNullable();
      });
      // The row exists from the start so a catch-up can lock it (SELECT … FOR UPDATE on PostgreSQL).
      await knex('rollup_state').insert({ name: 'visitor_rollups', last_event_row: 0 });
      // Billing presences and queue readings are read per zone from this covering index (a few rows a visitor,
      // no table lookups) instead of by scanning every event of the window: bench:query, docs/BENCHMARKS.md.
      await knex.schema.alterTable('events', (t) =>
        t.index(['store_id', 'zone_id', 'ts', 'event_type', 'is_staff', 'visitor_id', 'queue_depth', 'camera_id'], 'events_store_zone_ts'),
      );
    },
    async down(knex) {
      await knex.schema.alterTable('events', (t) => t.dropIndex([], 'events_store_zone_ts'));
      await knex.schema.dropTable('rollup_state');
      await knex.schema.dropTable('zone_rollups');
      await knex.schema.dropTable('visitor_rollups');
    },
  },
  // A former SQLite write path staged events in events_staged (no index) and moved them into events later; 007
  // removes it again. event_keys becomes a rowid table keyed on k, which stays.
  '005_sqlite_event_staging': {
    async up(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      await knex.raw(EVENTS_STAGED_TABLE);
      // Staged ids continue the events ids: the fold keeps them, so the rollup watermark stays exact.
      await knex.raw(`INSERT INTO sqlite_sequence (name, seq) SELECT 'events_staged', COALESCE(MAX(id), 0) FROM events`);
      // event_keys as a rowid table keyed on k: one B-tree of 8-byte keys instead of a table plus a unique index.
      await knex.raw('CREATE TABLE event_keys_v2 (k INTEGER PRIMARY KEY, event_row BIGINT NOT NULL)');
      await knex.raw('INSERT INTO event_keys_v2 (k, event_row) SELECT k, event_row FROM event_keys ORDER BY k');
      await knex.raw('DROP TABLE event_keys');
      await knex.raw('ALTER TABLE event_keys_v2 RENAME TO event_keys');
    },
    async down(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      // Staged events are kept (their keys are not: event_keys then misses them, as before this migration).
      const cols = 'event_id, store_id, camera_id, visitor_id, event_type, ts, zone_id, dwell_ms, is_staff, confidence, queue_depth, session_seq, metadata, received_at';
      await knex.raw(`INSERT INTO events (id, ${cols}) SELECT id, ${cols} FROM events_staged ORDER BY id`);
      await knex.raw('DROP TABLE events_staged');
    },
  },
  // Cross-camera identity: a visitor id seen by a non-entrance camera → the entrance visitor it belongs to. Kept
  // as data of its own so stored events are never rewritten; analytics canonicalise ids through it at read time
  // (hub/store/visitor-link-repository.ts, docs/DESIGN.md "Cross-camera identity").
  '006_visitor_links': {
    async up(knex) {
      await knex.schema.createTable('visitor_links', (t) => {
        t.string('store_id', 64).notNullable();
        t.string('visitor_id', 64).notNullable();
        t.string('entrance_visitor_id', 64).notNullable();
        t.string('camera_id', 64).notNullable();
        t.double('score').notNullable();
        t.bigInteger('linked_at').notNullable();
        t.primary(['store_id', 'visitor_id']);
        t.index(['store_id', 'linked_at'], 'visitor_links_store_time');
      });
    },
    async down(knex) {
      await knex.schema.dropTable('visitor_links');
    },
  },
  // Events are written straight into events again (hub/store/event-write.ts): staged rows left by an older version
  // were acknowledged, so they move into events (keeping their ids and keys) before the table goes.
  '007_drop_event_staging': {
    async up(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      const cols = 'event_id, store_id, camera_id, visitor_id, event_type, ts, zone_id, dwell_ms, is_staff, confidence, queue_depth, session_seq, metadata, received_at';
      await knex.raw(`INSERT OR IGNORE INTO events (id, ${cols}) SELECT id, ${cols} FROM events_staged ORDER BY id`);
      await knex.raw('INSERT OR IGNORE INTO event_keys (k, event_row) SELECT k, id FROM events_staged ORDER BY k');
      await knex.raw(`INSERT INTO store_activity AS a (store_id, last_event_ts, last_received_at, event_count)
        SELECT store_id, MAX(ts), MAX(received_at), COUNT(*) FROM events_staged GROUP BY store_id
        ON CONFLICT (store_id) DO UPDATE SET last_event_ts = MAX(a.last_event_ts, excluded.last_event_ts),
          last_received_at = MAX(a.last_received_at, excluded.last_received_at), event_count = a.event_count + excluded.event_count`);
      await knex.raw('DROP TABLE events_staged');
    },
    async down(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      await knex.raw(EVENTS_STAGED_TABLE);
    },
  },
  // Store KPIs on SQLite: partial covering indexes for the door events (occupancy, buying units) and for the
  // billing exits that carry a till wait, so those reads need no table lookups (bench:query, docs/CHOICES.md "Store
  // KPIs"). Partial: only those rows (a few percent of events) are indexed, so ingest barely pays for them.
  // PostgreSQL reads them through its type and zone indexes.
  '008_kpi_indexes': {
    async up(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      for (const sql of Object.values(KPI_SQLITE_INDEXES)) await knex.raw(sql);
    },
    async down(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      for (const name of Object.keys(KPI_SQLITE_INDEXES)) await knex.raw(`DROP INDEX IF EXISTS ${name}`);
    },
  },
  // Appearance signatures (biometric): one row per track, kept until expires_at (default: the end of the store's
  // day), read only by identity resolution, never by the API (hub/store/signature-repository.ts; docs/DESIGN.md
  // "Privacy"). `outcome` records the resolver's decision so a track is decided once.
  '009_visitor_signatures': {
    async up(knex) {
      await knex.schema.createTable('visitor_signatures', (t) => {
        t.string('signature_id', 36).primary();
        t.string('store_id', 64).notNullable();
        t.string('camera_id', 64).notNullable();
        t.string('visitor_id', 64).notNullable();
        t.string('model', 32).notNullable();
        t.text('embedding').notNullable();
        t.boolean('entrance').notNullable();
        t.boolean('is_staff').notNullable();
        t.bigInteger('first_ms').notNullable();
        t.bigInteger('last_ms').notNullable();
        t.bigInteger('entered_ms').nullable();
        t.bigInteger('exited_ms').nullable();
        t.text('zones').notNullable();
        t.bigInteger('received_at').notNullable();
        t.bigInteger('expires_at').notNullable();
        t.string('outcome', 16).nullable();
        t.string('linked_to', 64).nullable();
        t.index(['store_id', 'last_ms'], 'visitor_signatures_store_time');
        t.index(['expires_at'], 'visitor_signatures_expiry');
      });
    },
    async down(knex) {
      await knex.schema.dropTable('visitor_signatures');
    },
  },
  // The (store_id, visitor_id) index of events served one read: which visitor ids a set of cameras made. Visitor
  // ids are random, so under ingest every commit rewrote hundreds of that index's pages (a fifth of the bytes an
  // ingest writes, docs/CHOICES.md "One event store"). The camera is now kept in visitor_rollups (a visitor id is
  // made by one camera) and the read goes through the rollups and the (store_id, ts) index; the index is dropped.
  '010_rollup_camera': {
    async up(knex) {
      const pg = knex.client.config.client !== 'better-sqlite3';
      const c = pg ? ' COLLATE "C"' : '';
      await knex.raw('ALTER TABLE visitor_rollups ADD COLUMN camera_id VARCHAR(64)');
      // Each rollup row's camera from the events it sums (the fold's own definition), while the index still exists.
      await knex.raw(`UPDATE visitor_rollups SET camera_id = (SELECT MIN(e.camera_id${c}) FROM events e
        WHERE e.store_id = visitor_rollups.store_id AND e.visitor_id = visitor_rollups.visitor_id
          AND e.ts >= visitor_rollups.bucket_ts AND e.ts < visitor_rollups.bucket_ts + ${ROLLUP_BUCKET_MS}
          AND COALESCE(e.zone_id, '') = visitor_rollups.zone_id AND e.is_staff = visitor_rollups.is_staff)`);
      await knex.schema.alterTable('events', (t) => t.dropIndex([], 'events_store_visitor'));
    },
    async down(knex) {
      await knex.schema.alterTable('events', (t) => t.index(['store_id', 'visitor_id'], 'events_store_visitor'));
      await knex.raw('ALTER TABLE visitor_rollups DROP COLUMN camera_id');
    },
  },
  // De-duplication keys of the newest events, looked up together with event_keys and moved into it in key order
  // when the rollups fold (hub/store/event-write.ts): random keys into a small B-tree instead of the big one, so a
  // commit rewrites a few of its pages instead of most of event_keys' (docs/CHOICES.md "One event store").
  '011_event_keys_recent': {
    async up(knex) {
      const sqlite = knex.client.config.client === 'better-sqlite3';
      // SQLite: k as the rowid (one B-tree of 8-byte keys), as event_keys.
      await knex.raw(`CREATE TABLE event_keys_recent (k ${sqlite ? 'INTEGER' : 'BIGINT'} PRIMARY KEY, event_row BIGINT NOT NULL)`);
    },
    async down(knex) {
      await knex.raw('INSERT INTO event_keys (k, event_row) SELECT k, event_row FROM event_keys_recent WHERE true ON CONFLICT (k) DO NOTHING');
      await knex.schema.dropTable('event_keys_recent');
    },
  },
  // SQLite keeps the newest keys in its one writer's memory instead (hub/store/recent-keys.ts): the table's keys move
  // into event_keys, and rollup_state 'event_keys' marks the last event whose key is there (the name is
  // KEYS_MERGED_STATE of recent-keys.ts, which this file cannot import: it sits below db.ts).
  '012_sqlite_recent_keys_in_memory': {
    async up(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      await knex.raw('INSERT INTO event_keys (k, event_row) SELECT k, event_row FROM event_keys_recent WHERE true ORDER BY k ON CONFLICT (k) DO NOTHING');
      await knex.schema.dropTable('event_keys_recent');
      await knex.raw("INSERT INTO rollup_state (name, last_event_row) SELECT 'event_keys', COALESCE(MAX(id), 0) FROM events");
    },
    async down(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      await knex.raw('CREATE TABLE event_keys_recent (k INTEGER PRIMARY KEY, event_row BIGINT NOT NULL)');
      // The keys of the events past the mark were only in a writer's memory: written back from the events (at most
      // one fold's worth), the first event of a key holding it, as the writer's memory did.
      const past = await knex.raw("SELECT id, event_id FROM events WHERE id > COALESCE((SELECT last_event_row FROM rollup_state WHERE name = 'event_keys'), 0) ORDER BY id") as { id: number; event_id: string }[];
      for (const r of past) {
        await knex.raw('INSERT INTO event_keys_recent (k, event_row) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM event_keys WHERE k = ?) ON CONFLICT (k) DO NOTHING',
          [eventKey(r.event_id).toString(), r.id, eventKey(r.event_id).toString()]);
      }
      await knex.raw("DELETE FROM rollup_state WHERE name = 'event_keys'");
    },
  },
  // SQLite: the (store, type, ts) index gives way to a partial index of queue joins, and the covering zone index
  // leaves out zone-less events (kpi-indexes.ts). Rebuilding the zone index reads every event once, at this start.
  '013_sqlite_fewer_index_pages': {
    async up(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      await knex.raw(QUEUE_JOINS_SQLITE_INDEX);
      await knex.raw('DROP INDEX IF EXISTS events_store_type_ts');
      await knex.raw('DROP INDEX IF EXISTS events_store_zone_ts');
      await knex.raw(ZONE_SQLITE_INDEX);
    },
    async down(knex) {
      if (knex.client.config.client !== 'better-sqlite3') return;
      await knex.raw('CREATE INDEX IF NOT EXISTS events_store_type_ts ON events (store_id, event_type, ts)');
      await knex.raw('DROP INDEX IF EXISTS events_queue_joins');
      await knex.raw('DROP INDEX IF EXISTS events_store_zone_ts');
      await knex.raw('CREATE INDEX events_store_zone_ts ON events (store_id, zone_id, ts, event_type, is_staff, visitor_id, queue_depth, camera_id)');
    },
  },
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
