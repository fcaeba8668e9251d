/**
 * Visitor identity bookkeeping: random visitor ids, gap-free `session_seq` per visitor, and group entry
 * ("buying units": people who cross the door within a short window, side by side, share a group_id).
 */
import { distance } from './geometry.js';
import { shortId } from './events.js';

export function createVisitorBook(newId: () => string) {
  const seq = new Map<string, number>();
  return {
    /** A new visitor id, `VIS_` + 8 hex. */
    create(): string {
      const id = shortId('VIS', newId);
      seq.set(id, 0);
      return id;
    },
    /** The next session_seq for a visitor: 1, 2, 3… with no gaps (a REENTRY continues the earlier count). */
    nextSeq(visitorId: string): number {
      const n = (seq.get(visitorId) ?? 0) + 1;
      seq.set(visitorId, n);
      return n;
    },
    get count(): number {
      return seq.size;
    },
  };
}
export type VisitorBook = ReturnType<typeof createVisitorBook>;

/** A group shared by reference between its members' tracks; the id is minted when a second member joins. */
export interface Group {
  id: string | null;
  size: number;
}

export interface GroupConfig {
  /** Crossings at most this far apart in time belong together (ms). */
  windowMs: number;
  /** …and at most this far apart on the image (normalised units) — "side by side". */
  maxDistance: number;
}

export function createGrouper(cfg: GroupConfig, newId: () => string) {
  let recent: { atMs: number; anchor: readonly [number, number]; group: Group }[] = [];
  return {
    /** Registers an entry crossing and returns the (possibly shared) group object of the entrant. */
    onEntry(atMs: number, anchor: readonly [number, number]): Group {
      recent = recent.filter((r) => atMs - r.atMs <= cfg.windowMs);
      const mate = recent.find((r) => distance(r.anchor, anchor) <= cfg.maxDistance);
      const group: Group = mate ? mate.group : { id: null, size: 0 };
      group.size++;
      if (group.size >= 2 && group.id === null) group.id = shortId('GRP', newId);
      recent.push({ atMs, anchor, group });
      return group;
    },
  };
}
