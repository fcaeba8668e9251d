import type { EventReads } from './event-reads.js';
import type { EventRow } from './event-row.js';
import type { RowOutcome } from './event-write.js';

export type { RowOutcome } from './event-write.js';

/**
 * Where events are kept: one interface, one implementation per database, each owning its write strategy
 * (docs/DESIGN.md, "Storage"). Both write through hub/store/event-write.ts, so the de-duplication rule, the columns
 * and the rollups are written once.
 */
export interface EventStore extends Pick<EventReads, 'count' | 'window' | 'storeActivity'> {
  /**
   * Stores the rows in one transaction; per row, in order: 'stored', or 'duplicate' when its event_id is already
   * stored (earlier, or earlier in `rows`). Throws when the transaction fails: then nothing of `rows` is stored.
   */
  insert(rows: EventRow[]): Promise<RowOutcome[]>;
  /** Insert groups worth handing over before the previous one commits (a writer thread queues the next). */
  readonly inFlightGroups: number;
  /** Throws when the database cannot be reached; otherwise what /health must say about storage. */
  health(): Promise<{ warnings: string[] }>;
  close(): Promise<void>;
}
