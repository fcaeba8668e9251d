import { expect } from 'chai';
import { buyingUnitsByBucket } from '../../../hub/analytics/buying-units.js';
import { attributeTransactions } from '../../../hub/analytics/conversion.js';
import type { DoorEvent, VisitorFacts } from '../../../hub/analytics/types.js';

const M = 60_000;
const H = 60 * M;
const visitor = (id: string, first_in: number | null): VisitorFacts => ({
  visitor_id: id, first_in, first_entry: first_in, last_exit: null, first_seen: first_in ?? 0, zone_visit: true, billing: true, joined_queue: false, abandoned_queue: false,
});
const entry = (visitor_id: string, ts: number, group_id: string | null, type: DoorEvent['type'] = 'ENTRY'): DoorEvent => ({ visitor_id, type, ts, group_id });
const buckets = [{ from: 0, to: H }, { from: H, to: 2 * H }];

describe('buyingUnitsByBucket', () => {
  it('joins visitors sharing a group_id, transitively; a unit bought when any member did; home = earliest member', () => {
    const visitors = [visitor('A', 10 * M), visitor('B', 10 * M), visitor('C', 70 * M), visitor('D', 20 * M), visitor('E', 80 * M)];
    const doors = [
      entry('A', 10 * M, 'G1'),
      entry('B', 10 * M, 'G1'),
      entry('B', 75 * M, 'G2', 'REENTRY'), // B came back with C: G1 and G2 are one unit
      entry('C', 70 * M, 'G2'),
      entry('D', 20 * M, null),
      entry('E', 80 * M, null),
    ];
    const att = attributeTransactions([{ visitor_id: 'C', ts: 90 * M }], [{ transaction_id: 'T', store_id: 'S', ts: 91 * M, basket_value_inr: 1 }]);
    expect(buyingUnitsByBucket(visitors, doors, att, buckets)).to.deep.equal([
      { units: 2, purchased: 1 }, // {A,B,C} (home 10 min, bought through C) and {D}
      { units: 1, purchased: 0 }, // {E}
    ]);
  });

  it('leaves out visitors the window does not count (no ENTRY/REENTRY in it) even when their group does', () => {
    const visitors = [visitor('A', 10 * M), visitor('Z', null)];
    const doors = [entry('A', 10 * M, 'G'), entry('Z', 10 * M, 'G')];
    const none = attributeTransactions([], []);
    expect(buyingUnitsByBucket(visitors, doors, none, buckets)).to.deep.equal([{ units: 1, purchased: 0 }, { units: 0, purchased: 0 }]);
  });
});
