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
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps long chains (a busy day's groups) near-linear.
    for (let y = x; y !== root; ) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const members = visitors.filter((v) => v.first_in !== null);
  for (const v of members) parent.set(`v:${v.visitor_id}`, `v:${v.visitor_id}`);
  for (const d of doors) {
    if (d.group_id === null || d.type === 'EXIT' || !parent.has(`v:${d.visitor_id}`)) continue;
    const g = `g:${d.group_id}`;
    if (!parent.has(g)) parent.set(g, g);
    union(`v:${d.visitor_id}`, g);
  }
  const units = new Map<string, { home: number; purchased: boolean }>();
  for (const v of members) {
    const root = find(`v:${v.visitor_id}`);
    const u = units.get(root) ?? { home: v.first_in!, purchased: false };
    u.home = Math.min(u.home, v.first_in!);
    u.purchased ||= attribution.byVisitor.has(v.visitor_id);
    units.set(root, u);
  }
  const out = buckets.map((): UnitCounts => ({ units: 0, purchased: 0 }));
  for (const u of units.values()) {
    const c = out[bucketOf(buckets, u.home)];
    if (!c) continue;
    c.units += 1;
    if (u.purchased) c.purchased += 1;
  }
  return out;
}
