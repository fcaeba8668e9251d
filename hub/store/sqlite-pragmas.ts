/**
 * Settings of every SQLite connection. WAL: readers never block the writer, and the writer thread and the hub's
 * own connection can share the file. synchronous=FULL: a committed batch survives power loss, which is what
 * "inserted" promises an agent that then drops the batch from its spool (docs/CHOICES.md).
 */
export function applySqlitePragmas(conn: { pragma(s: string): unknown }): void {
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = FULL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('cache_size = -65536');
  conn.pragma('temp_store = MEMORY');
  conn.pragma('foreign_keys = ON');
}
