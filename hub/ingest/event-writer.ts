import type { StoreEvent } from '../../common/event.js';
import { guardDb } from '../store/db.js';
import { toRow, type EventRepository } from '../store/event-repository.js';

export interface WriteOutcome {
  /** Per input event, in order: true when it was stored now, false when its event_id was already stored. */
  stored: boolean[];
}

interface Pending {
  events: StoreEvent[];
  resolve(o: WriteOutcome): void;
  reject(err: unknown): void;
}

/**
 * Group commit: batches that arrive while a transaction is running are written together in the next one.
 * Under concurrent load this divides the per-commit cost (fsync, and the random pages of the event_id index
 * that every commit rewrites) among many requests; a lone request still commits at once.
 * Each caller is answered only after its rows are durable (docs/CHOICES.md, "Ingest write path").
 */
export function createEventWriter(repo: Pick<EventRepository, 'insertRows'>, opts: { maxGroupEvents?: number; pipelined?: boolean } = {}) {
  const maxGroup = opts.maxGroupEvents ?? 20_000;
  // pipelined: the repository groups on its side (the SQLite writer thread takes every request waiting in its
  // port into one transaction), so hand each group over at once instead of waiting for the previous commit.
  const inFlight = new Set<Promise<void>>();
  let queue: Pending[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const group: Pending[] = [];
        let n = 0;
        while (queue.length > 0 && (group.length === 0 || n + queue[0]!.events.length <= maxGroup)) {
          const p = queue.shift()!;
          group.push(p);
          n += p.events.length;
        }
        if (!opts.pipelined) {
          await commitGroup(group);
          continue;
        }
        const p = commitGroup(group).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    } finally {
      running = false;
    }
  }

  async function commitGroup(group: Pending[]): Promise<void> {
    const now = Date.now();
    const rows = group.flatMap((p) => p.events.map((e) => toRow(e, now)));
    let inserted: Set<string>;
    try {
      inserted = await guardDb(() => repo.insertRows(rows));
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    // The first occurrence of a new id (in arrival order) is the stored one; later copies are duplicates.
    for (const p of group) {
      p.resolve({
        stored: p.events.map((e) => inserted.delete(e.event_id)),
      });
    }
  }

  return {
    write(events: StoreEvent[]): Promise<WriteOutcome> {
      if (events.length === 0) return Promise.resolve({ stored: [] });
      return new Promise<WriteOutcome>((resolve, reject) => {
        queue.push({ events, resolve, reject });
        if (!running) setImmediate(() => void drain());
      });
    },
    /** Pending batches not yet committed (for shutdown and metrics). */
    pending(): number {
      return queue.length;
    },
    async idle(): Promise<void> {
      while (running || queue.length > 0 || inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
export type EventWriter = ReturnType<typeof createEventWriter>;
