import { expect } from 'chai';
import { attributeTransactions } from '../../../hub/analytics/conversion.js';
import type { DoorEvent } from '../../../hub/analytics/types.js';
import { zoneConversion } from '../../../hub/analytics/zone-conversion.js';

const tx = (id: string, ts: number, basket_value_inr: number) => ({ transaction_id: id, store_id: 'S', ts, basket_value_inr });

describe('zoneConversion', () => {
  it('counts the zone’s visitors the funnel counts, and those of them who purchased', () => {
    const door = (visitor_id: string, type: DoorEvent['type']): DoorEvent => ({ visitor_id, type, ts: 0, group_id: null });
    const att = attributeTransactions([{ visitor_id: 'A', ts: 100 }, { visitor_id: 'Z', ts: 200 }], [tx('t1', 150, 1), tx('t2', 250, 1)]);
    const rates = zoneConversion(new Map([['Z1', new Set(['A', 'B', 'Z'])], ['Z2', new Set(['Z'])]]), [door('A', 'ENTRY'), door('B', 'REENTRY'), door('Z', 'EXIT')], att);
    // Z (only an EXIT in the window) is outside the funnel: Z1 = A of {A, B}; Z2 has no counted visitor.
    expect(Object.fromEntries(rates)).to.deep.equal({ Z1: 0.5, Z2: 0 });
  });
});
