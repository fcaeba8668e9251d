import type { Logger } from '../../common/logger.js';
import type { Db } from './db.js';
import type { EventStore } from './event-store.js';
import { createPgEventStore } from './pg-event-store.js';
import { catchUpRollups } from './rollup-fold.js';
import { createSqliteEventStore } from './sqlite-event-store.js';

/** The event store of an open database; first folds any rollup backlog left by an older version. */
export async function openEventStore(db: Db, deps: { logger: Logger }): Promise<EventStore> {
  const store = db.dialect === 'pg' ? createPgEventStore(db) : await createSqliteEventStore(db, deps.logger);
  const started = Date.now();
  const folded = await catchUpRollups(db);
  if (folded > 0) deps.logger.info({ event: 'rollup_caught_up', events: folded, ms: Date.now() - started }, 'analytics rollups caught up');
  return store;
}
