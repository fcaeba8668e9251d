import type { PosTransaction } from './types.js';
import { bucketOf, type Window } from './window.js';

/** Takings of one bucket, over every POS transaction in it, matched to a visitor or not. */
export interface Sales {
  sales_total: number;
  transactions: number;
  /** Average transaction value: sales_total / transactions (0 without transactions). */
  atv: number;
  /** sales_total / unique_visitors of the bucket (0 without visitors). */
  sales_per_visitor: number;
}

/** Money keeps two decimals (paise): sums of many basket values otherwise show float noise. */
const money = (x: number) => Math.round(x * 100) / 100;

/** Sales per bucket by transaction time; `visitors[i]` is the bucket's unique_visitors. */
export function salesByBucket(transactions: readonly PosTransaction[], buckets: readonly Window[], visitors: readonly number[]): Sales[] {
  const sums = buckets.map(() => ({ total: 0, n: 0 }));
  for (const tx of transactions) {
    const s = sums[bucketOf(buckets, tx.ts)];
    if (!s) continue;
    s.total += tx.basket_value_inr;
    s.n += 1;
  }
  return sums.map((s, i) => {
    const total = money(s.total);
    const v = visitors[i] ?? 0;
    return { sales_total: total, transactions: s.n, atv: s.n > 0 ? money(total / s.n) : 0, sales_per_visitor: v > 0 ? money(total / v) : 0 };
  });
}
