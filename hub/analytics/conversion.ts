import { PURCHASE_WINDOW_MS, type BillingPresence, type PosTransaction } from './types.js';

export interface Match {
  transaction_id: string;
  visitor_id: string;
  /** The billing presence the transaction was matched to. */
  presence_ts: number;
  ts: number;
}

export interface Attribution {
  matches: Match[];
  /** Transactions with no candidate visitor. */
  unattributed: PosTransaction[];
  /** visitor_id → its match. */
  byVisitor: Map<string, Match>;
}

const byTime = <T extends { ts: number }>(a: T, b: T) => a.ts - b.ts;
const byTxTime = (a: PosTransaction, b: PosTransaction) => a.ts - b.ts || (a.transaction_id < b.transaction_id ? -1 : 1);

/**
 * Matches POS transactions to visitors: each transaction, in time order, goes to the unmatched
 * visitor whose billing presence is latest at or before it and at most PURCHASE_WINDOW_MS earlier; each
 * transaction converts at most one visitor and each visitor converts at most once.
 *
 * One sweep with a stack: presences are pushed in time order as the sweep passes them, so the top of the
 * stack is always the latest presence seen. Entries of matched visitors are dropped when they surface; once
 * the top is older than the purchase window every entry below it is older too, and stays too old for every
 * later transaction, so the stack is cleared. O(P + T) after sorting.
 */
export function attributeTransactions(
  presences: readonly BillingPresence[],
  transactions: readonly PosTransaction[],
  windowMs = PURCHASE_WINDOW_MS,
): Attribution {
  const ps = [...presences].sort(byTime);
  const txs = [...transactions].sort(byTxTime);
  const matched = new Set<string>();
  const stack: BillingPresence[] = [];
  const out: Attribution = { matches: [], unattributed: [], byVisitor: new Map() };
  let next = 0;
  for (const tx of txs) {
    while (next < ps.length && ps[next]!.ts <= tx.ts) stack.push(ps[next++]!);
    while (stack.length > 0 && matched.has(stack[stack.length - 1]!.visitor_id)) stack.pop();
    const top = stack[stack.length - 1];
    if (!top || tx.ts - top.ts > windowMs) {
      stack.length = 0;
      out.unattributed.push(tx);
      continue;
    }
    stack.pop();
    matched.add(top.visitor_id);
    const m: Match = { transaction_id: tx.transaction_id, visitor_id: top.visitor_id, presence_ts: top.ts, ts: tx.ts };
    out.matches.push(m);
    out.byVisitor.set(top.visitor_id, m);
  }
  return out;
}
