import { expect } from 'chai';
import { attributeTransactions } from '../../../hub/analytics/conversion.js';
import type { VisitorFacts } from '../../../hub/analytics/types.js';
import { zoneConversion } from '../../../hub/analytics/zone-conversion.js';

const tx = (id: string, ts: number, basket_value_inr: number) => ({ transaction_id: id, store_id: 'S', ts, basket_value_inr });

describe('zoneConversion', () => {
  it('counts the zone’s visitors the funnel counts, and those of them who purchased', () => {
    const v = (id: string, first_in: number | null): VisitorFacts => ({
      visitor_id: id, first_in, first_entry: first_in, last_exit: null, first_seen: 0, zone_visit: true, billing: true, joined_queue: false, abandoned_queue: false,
    });
    const att = attributeTransactions([{ visitor_id: 'A', ts: 100 }, { visitor_id: 'Z', ts: 200 }], [tx('t1', 150, 1), tx('t2', 250, 1)]);
    const rates = zoneConversion(new Map([['Z1', new Set(['A', 'B', 'Z'])], ['Z2', new Set(['Z'])]]), [v('A', 0), v('B', 0), v('Z', null)], att);
    // Z (no ENTRY in the window) is outside the funnel: Z1 = A of {A, B}; Z2 has no counted visitor.
    expect(Object.fromEntries(rates)).to.deep.equal({ Z1: 0.5, Z2: 0 });
  });
});
