import type { Attribution } from './conversion.js';
import type { DoorEvent, VisitorFacts } from './types.js';
import { bucketOf, type Window } from './window.js';

/** Buying units of one bucket, and how many of them bought. */
export interface UnitCounts {
  units: number;
  purchased: number;
}

/**
 * Buying units: a family of three that buys once is one converted unit, not a third of a conversion. The
 * window's visitors (those counted in unique_visitors: an ENTRY or REENTRY in the window, staff excluded) are
 * joined into one unit when they share a `metadata.group_id` on an ENTRY/REENTRY, transitively (union-find, so a
 * visitor who came back with another group links both); a visitor without a group is a unit alone. Staff events
 * never reach this function, so staff walking in with a group are not members. A unit belongs to the bucket of
 * its earliest member's first arrival (the same home as unique_visitors), and has purchased when any member did.
 */
export function buyingUnitsByBucket(
  visitors: readonly VisitorFacts[],
  doors: readonly DoorEvent[],
  attribution: Attribution,
  buckets: readonly Window[],
): UnitCounts[] {
  // Union-find over integer nodes (visitors first, then groups): a month of visitors stays in a few ms, where
  // string-keyed nodes cost ~100 ms (bench:query, 30 days).
  const members = visitors.filter((v) => v.first_in !== null);
  const node = new Map<string, number>(members.map((v, i) => [v.visitor_id, i]));
  const parent: number[] = members.map((_, i) => i);
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root]!;
    // Path compression keeps long chains (a busy day's groups) near-linear.
    while (parent[x] !== root) {
      const next = parent[x]!;
      parent[x] = root;
      x = next;
    }
    return root;
  };
  const groupNode = new Map<string, number>();
  for (const d of doors) {
    if (d.group_id === null || d.type === 'EXIT') continue;
    const v = node.get(d.visitor_id);
    if (v === undefined) continue;
    let g = groupNode.get(d.group_id);
    if (g === undefined) {
      g = parent.length;
      parent.push(g);
      groupNode.set(d.group_id, g);
    }
    const ra = find(v);
    const rb = find(g);
    if (ra !== rb) parent[ra] = rb;
  }
  const units = new Map<number, { home: number; purchased: boolean }>();
  members.forEach((v, i) => {
    const root = find(i);
    const u = units.get(root) ?? { home: v.first_in!, purchased: false };
    u.home = Math.min(u.home, v.first_in!);
    u.purchased ||= attribution.byVisitor.has(v.visitor_id);
    units.set(root, u);
  });
  const out = buckets.map((): UnitCounts => ({ units: 0, purchased: 0 }));
  for (const u of units.values()) {
    const c = out[bucketOf(buckets, u.home)];
    if (!c) continue;
    c.units += 1;
    if (u.purchased) c.purchased += 1;
  }
  return out;
}
