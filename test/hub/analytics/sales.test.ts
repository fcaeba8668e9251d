import { expect } from 'chai';
import { salesByBucket } from '../../../hub/analytics/sales.js';

const H = 3_600_000;
const tx = (id: string, ts: number, basket_value_inr: number) => ({ transaction_id: id, store_id: 'S', ts, basket_value_inr });

describe('salesByBucket', () => {
  it('sums every transaction of the bucket to the paisa; atv and sales per visitor; 0 without a denominator', () => {
    const rows = salesByBucket([tx('a', 10, 0.1), tx('b', 20, 0.2), tx('c', 30, 1499.99), tx('d', H + 5, 10)], [{ from: 0, to: H }, { from: H, to: 2 * H }], [3, 0]);
    expect(rows).to.deep.equal([
      { sales_total: 1500.29, transactions: 3, atv: 500.1, sales_per_visitor: 500.1 },
      { sales_total: 10, transactions: 1, atv: 10, sales_per_visitor: 0 },
    ]);
  });
});
