/**
 * The SQL shared by the KPI reads (kpi-repository.ts) and the migration that indexes them (migrations.ts). A SQLite
 * partial index is used only when the query repeats its WHERE terms, and an expression column only when the query
 * repeats the expression: both sides are built from these strings. No imports: migrations.ts loads this file.
 */
type Dialect = 'sqlite' | 'pg';

/** One metadata key of the stored JSON text, as each database reads it (the SQLite text is also an index key). */
export const metaKey = (dialect: Dialect, key: string) =>
  dialect === 'pg' ? `(metadata::json ->> '${key}')` : `json_extract(metadata, '$.${key}')`;
export const DOOR_TYPES = `event_type IN ('ENTRY','REENTRY','EXIT')`;
export const SERVED_EXIT = (dialect: Dialect) => `event_type = 'ZONE_EXIT' AND ${metaKey(dialect, 'queue_wait_ms')} IS NOT NULL`;

/** Queue joins, in any zone (billing presences read them by store and time). */
export const QUEUE_JOINS = `event_type = 'BILLING_QUEUE_JOIN'`;

/** Partial covering indexes on SQLite (migration 008): door rows with their group, billing exits with a till wait. */
export const KPI_SQLITE_INDEXES: Record<string, string> = {
  events_doors: `CREATE INDEX IF NOT EXISTS events_doors ON events (store_id, ts, event_type, is_staff, visitor_id, session_seq, ${metaKey('sqlite', 'group_id')}) WHERE ${DOOR_TYPES}`,
  events_till_waits: `CREATE INDEX IF NOT EXISTS events_till_waits ON events (store_id, zone_id, ts, event_type, is_staff, visitor_id, ${metaKey('sqlite', 'queue_wait_ms')}) WHERE ${SERVED_EXIT('sqlite')}`,
};

/**
 * SQLite (migration 013), for fewer index pages per commit (docs/CHOICES.md, "Fewer pages per commit"): queue joins
 * by store and time in place of the (store, type, ts) index, whose entries landed in one B-tree leaf per store and
 * event type, all rewritten by every commit; and the covering zone index without the zone-less door events (read
 * through events_doors; every read of the zone index names its zones, which implies `zone_id IS NOT NULL`).
 */
export const QUEUE_JOINS_SQLITE_INDEX = `CREATE INDEX IF NOT EXISTS events_queue_joins ON events (store_id, ts, is_staff, visitor_id) WHERE ${QUEUE_JOINS}`;
export const ZONE_SQLITE_INDEX = `CREATE INDEX IF NOT EXISTS events_store_zone_ts ON events
  (store_id, zone_id, ts, event_type, is_staff, visitor_id, queue_depth, camera_id) WHERE zone_id IS NOT NULL`;
