import type { StoreEvent } from '../../common/event.js';
import { isAppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { guardDb } from '../store/db.js';
import { toRow } from '../store/event-row.js';
import type { EventStore, RowOutcome } from '../store/event-store.js';

/** What became of one event handed to the writer: stored now, already stored, or refused by the database. */
export type EventOutcome = RowOutcome | { error: string };

export interface WriteOutcome {
  /** Per input event, in order. */
  outcomes: EventOutcome[];
}

interface Pending {
  events: StoreEvent[];
  resolve(o: WriteOutcome): void;
  reject(err: unknown): void;
}

/** Longest a free writer waits for the requests of the callers it has just answered (see `gather`). */
const GATHER_MAX_MS = 10;
/** How long before the committing group's expected end the next group is handed over (see `untilDue`). */
const HANDOVER_MS = 3;

/** "The database cannot be reached": nothing can be stored now, so the whole request fails (503, retried later). */
const unavailable = (err: unknown) => isAppError(err) && err.code === 'DB_UNAVAILABLE';

/**
 * Group commit: batches that arrive while a transaction is running are written together in the next one, which
 * divides the per-commit cost (fsync, index pages) among many requests; a lone request still commits at once.
 * Each caller is answered only after its rows are durable (docs/CHOICES.md, "Ingest write path").
 *
 * A failed group never takes innocent requests with it: unless the database is unreachable, the group is retried
 * one request at a time, and a request that still fails by halves down to single events, so only the events the
 * database refuses fail (each with a reason), and every other event is stored.
 */
export function createEventWriter(store: Pick<EventStore, 'insert' | 'inFlightGroups'>, opts: { maxGroupEvents?: number; logger?: Logger } = {}) {
  const maxGroup = opts.maxGroupEvents ?? 20_000;
  const inFlight = new Set<Promise<void>>();
  let queue: Pending[] = [];
  let draining = false;
  /** The last committed group: how many requests it answered, when it ended and how long it took. */
  let last = { answered: 0, endedAt: 0, tookMs: 0 };
  let arrived: (() => void) | null = null;
  /** Commit time per event of the last group (ms), and when the groups handed over are expected to be committed. */
  let msPerEvent = 0;
  let busyUntil = 0;
  /** Events queued, and handed over but not yet committed. */
  let queued = 0;
  let handed = 0;

  /** Resolves after `ms`, or earlier when a request arrives or a group in flight settles. */
  async function nap(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ...inFlight,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        arrived = resolve;
      }),
    ]);
    clearTimeout(timer);
    arrived = null;
  }

  /**
   * With a group committing and a free slot (store.inFlightGroups 2), the next group is handed over shortly before
   * the committing one is expected to end, not at once: it then holds every request that arrived meanwhile, so
   * groups stay large (fewer commits, fewer bytes per event) and the writer still never waits for the main thread.
   */
  async function untilDue(): Promise<void> {
    const inFlightNow = inFlight.size;
    while (inFlight.size === inFlightNow && queued < maxGroup) {
      const left = busyUntil - HANDOVER_MS - performance.now();
      if (left <= 0) return;
      await nap(left);
    }
  }

  /**
   * Callers answered by the last commit usually send their next request within milliseconds (agents with a
   * spool, clients in a loop). Starting the next group at once would commit without them, and the population of
   * callers would split into cohorts that take turns with half-size groups, each paying the per-commit cost
   * (every index, key and rollup page a commit touches is rewritten whole; 1,000-event commits write 1.5 times
   * the bytes per event of 2,000-event ones, docs/CHOICES.md). So a free writer waits for them, at most half the
   * last commit's duration (the writer idles at most a third of the time) and GATHER_MAX_MS, and starts as soon
   * as they are all queued. A lone caller that comes back later than that waits for nothing.
   */
  async function gather(): Promise<void> {
    const want = queue.length + last.answered;
    const until = last.endedAt + Math.min(GATHER_MAX_MS, last.tookMs / 2);
    last = { ...last, answered: 0 };
    while (queue.length < want) {
      const left = until - performance.now();
      if (left <= 0) return;
      await nap(left);
    }
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0) {
        // A writer thread commits one group while the next waits in its port, so it never idles.
        while (inFlight.size >= store.inFlightGroups) await Promise.race(inFlight);
        if (inFlight.size > 0) await untilDue();
        else if (last.answered > 0) await gather();
        const group: Pending[] = [];
        let n = 0;
        while (queue.length > 0 && (group.length === 0 || n + queue[0]!.events.length <= maxGroup)) {
          const p = queue.shift()!;
          group.push(p);
          n += p.events.length;
        }
        queued -= n;
        handed += n;
        busyUntil = Math.max(busyUntil, performance.now()) + msPerEvent * n;
        const run = commitGroup(group).finally(() => {
          inFlight.delete(run);
          handed -= n;
          // The groups still in flight are due from now on, however far the estimate had drifted.
          busyUntil = performance.now() + msPerEvent * handed;
        });
        inFlight.add(run);
      }
    } finally {
      draining = false;
    }
  }

  const insert = (events: StoreEvent[]) => {
    const now = Date.now();
    return guardDb(() => store.insert(events.map((e) => toRow(e, now))));
  };

  async function commitGroup(group: Pending[]): Promise<void> {
    try {
      const handedAt = performance.now();
      const events = group.flatMap((p) => p.events);
      const outcomes = await insert(events);
      const endedAt = performance.now();
      // Its commit began when it was handed over or when the group before it ended, whichever came last.
      const tookMs = endedAt - Math.max(handedAt, last.endedAt);
      last = { answered: group.length, endedAt, tookMs };
      msPerEvent = tookMs / events.length;
      let i = 0;
      for (const p of group) p.resolve({ outcomes: outcomes.slice(i, (i += p.events.length)) });
    } catch (err) {
      if (unavailable(err)) for (const p of group) p.reject(err);
      else if (group.length > 1) for (const p of group) await commitGroup([p]);
      else await isolate(group[0]!, err);
    }
  }

  /**
   * One request whose transaction failed: its halves are retried, and the halves of a half that fails, down to
   * single events, so that k refused events among n cost O(k log n) transactions rather than n.
   */
  async function isolate(p: Pending, err: unknown): Promise<void> {
    const refused = (e: StoreEvent, why: unknown): EventOutcome => {
      // Bounded: a database message may quote the whole value.
      const message = String((why as Error)?.message ?? why).slice(0, 300);
      opts.logger?.warn({ event: 'event_store_refused', event_id: e.event_id, err: message }, 'the database refused an event');
      return { error: `the database refused this event (${(why as { code?: string })?.code ?? 'error'})` };
    };
    const attempt = async (events: StoreEvent[]): Promise<EventOutcome[]> => {
      try {
        return await insert(events);
      } catch (e) {
        return split(events, e);
      }
    };
    const split = async (events: StoreEvent[], why: unknown): Promise<EventOutcome[]> => {
      if (unavailable(why)) throw why;
      if (events.length === 1) return [refused(events[0]!, why)];
      const mid = events.length >> 1;
      return [...(await attempt(events.slice(0, mid))), ...(await attempt(events.slice(mid)))];
    };
    try {
      p.resolve({ outcomes: await split(p.events, err) });
    } catch (e) {
      p.reject(e);
    }
  }

  return {
    write(events: StoreEvent[]): Promise<WriteOutcome> {
      if (events.length === 0) return Promise.resolve({ outcomes: [] });
      return new Promise<WriteOutcome>((resolve, reject) => {
        queue.push({ events, resolve, reject });
        queued += events.length;
        arrived?.();
        if (!draining) setImmediate(() => void drain());
      });
    },
    /** Pending batches not yet committed (for shutdown and metrics). */
    pending(): number {
      return queue.length;
    },
    async idle(): Promise<void> {
      while (draining || queue.length > 0 || inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
export type EventWriter = ReturnType<typeof createEventWriter>;
