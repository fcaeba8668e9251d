import type { Db } from './db.js';
import { createEventReads } from './event-reads.js';
import type { EventStore } from './event-store.js';
import { writeEvents } from './event-write.js';
import { tableRecentKeys } from './recent-keys.js';
import { withWriteTx } from './write-tx.js';

/**
 * PostgreSQL: every insert is one transaction on the pool, holding the events-write lock (write-tx.ts) so that
 * the replicas sharing the database take turns: de-duplication then stays exact across hubs, and ids commit in
 * order for the rollup watermark. The key tables' primary keys are a last line of defence while the first copy's key
 * is recent (event_keys_recent): a duplicate that slipped past the lock would then fail the transaction rather than
 * be stored twice.
 */
export function createPgEventStore(db: Db): EventStore {
  const reads = createEventReads(db);
  const recent = tableRecentKeys();
  return {
    count: reads.count,
    window: reads.window,
    storeActivity: reads.storeActivity,
    insert: (rows) => (rows.length === 0 ? Promise.resolve([]) : writeEvents((fn) => withWriteTx(db, fn), 'pg', recent, rows)),
    inFlightGroups: 1,
    async health() {
      await reads.ping();
      return { warnings: [] };
    },
    close: async () => undefined,
  };
}
