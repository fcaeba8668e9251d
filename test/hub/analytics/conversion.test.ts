import { expect } from 'chai';
import fc from 'fast-check';
import { attributeTransactions } from '../../../hub/analytics/conversion.js';
import type { BillingPresence, PosTransaction } from '../../../hub/analytics/types.js';

const M = 60_000;
const tx = (id: string, ts: number): PosTransaction => ({ transaction_id: id, store_id: 'S', ts, basket_value_inr: 1 });
const at = (visitor_id: string, ts: number): BillingPresence => ({ visitor_id, ts });
const pairs = (r: ReturnType<typeof attributeTransactions>) => r.matches.map((m) => [m.transaction_id, m.visitor_id]);

describe('attributeTransactions (the matching rule)', () => {
  it('gives a transaction to the visitor whose billing presence is latest at or before it', () => {
    // A at 0, B at 2 min; T1 at 3 min → B (latest); T2 at 4 min → A (B taken, A within 5 min).
    const r = attributeTransactions([at('A', 0), at('B', 2 * M)], [tx('T1', 3 * M), tx('T2', 4 * M)]);
    expect(pairs(r)).to.deep.equal([['T1', 'B'], ['T2', 'A']]);
    expect(r.unattributed).to.deep.equal([]);
  });

  it('counts a transaction more than 5 minutes after every presence as unattributed (5 min exactly still counts)', () => {
    const r = attributeTransactions([at('A', 0)], [tx('T1', 5 * M + 1)]);
    expect(r.unattributed.map((t) => t.transaction_id)).to.deep.equal(['T1']);
    expect(pairs(attributeTransactions([at('A', 0)], [tx('T1', 5 * M)]))).to.deep.equal([['T1', 'A']]);
  });

  it('ignores presences after the transaction, and converts each visitor once', () => {
    const r = attributeTransactions([at('A', 0), at('A', M), at('B', 10 * M)], [tx('T1', 2 * M), tx('T2', 3 * M)]);
    expect(pairs(r)).to.deep.equal([['T1', 'A']]);
    expect(r.unattributed.map((t) => t.transaction_id)).to.deep.equal(['T2']);
  });

  it('uses each visitor’s latest presence: A re-enters billing after B and takes the sale', () => {
    const r = attributeTransactions([at('A', 0), at('B', M), at('A', 2 * M)], [tx('T1', 3 * M)]);
    expect(pairs(r)).to.deep.equal([['T1', 'A']]);
  });

  it('processes transactions in time order whatever order they arrive in', () => {
    const r = attributeTransactions([at('B', 2 * M), at('A', 0)], [tx('T2', 4 * M), tx('T1', 3 * M)]);
    expect(pairs(r)).to.deep.equal([['T1', 'B'], ['T2', 'A']]);
  });

  it('a visitor in billing without a transaction is not converted', () => {
    const r = attributeTransactions([at('A', 0)], []);
    expect(r.matches).to.deep.equal([]);
  });

  it('agrees pair for pair with a brute-force reading of the rule on random inputs', () => {
    const presence = fc.record({ visitor_id: fc.constantFrom('A', 'B', 'C', 'D', 'E'), ts: fc.integer({ min: 0, max: 30 * M }) });
    const txn = fc.record({ id: fc.uuid(), ts: fc.integer({ min: 0, max: 30 * M }) });
    fc.assert(
      fc.property(fc.uniqueArray(presence, { maxLength: 25, selector: (p) => p.ts }), fc.uniqueArray(txn, { maxLength: 10, selector: (t) => t.id }), (ps, ts) => {
        const txs = ts.map((t) => tx(t.id, t.ts));
        const got = attributeTransactions(ps, txs);
        // Brute force: for each transaction in time order, every unmatched visitor's latest presence ≤ t.
        const matched = new Set<string>();
        const want: string[][] = [];
        for (const t of [...txs].sort((a, b) => a.ts - b.ts || (a.transaction_id < b.transaction_id ? -1 : 1))) {
          let best: { v: string; ts: number } | null = null;
          for (const v of new Set(ps.map((p) => p.visitor_id))) {
            if (matched.has(v)) continue;
            const latest = Math.max(...ps.filter((p) => p.visitor_id === v && p.ts <= t.ts).map((p) => p.ts));
            if (latest >= t.ts - 5 * M && (!best || latest > best.ts)) best = { v, ts: latest };
          }
          if (best) {
            matched.add(best.v);
            want.push([t.transaction_id, best.v]);
          }
        }
        // Presence times are unique here, so the rule determines every pair.
        expect(pairs(got)).to.deep.equal(want);
        expect(got.matches.length + got.unattributed.length).to.equal(txs.length);
        expect(new Set(got.matches.map((m) => m.visitor_id)).size).to.equal(got.matches.length);
      }),
      { numRuns: 300 },
    );
  });
});
