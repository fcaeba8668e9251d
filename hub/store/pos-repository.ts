import type { PosTransaction } from '../analytics/types.js';
import type { Db } from './db.js';

/** Rows per INSERT: 5 columns × 1000 stays far under both databases' parameter limits. */
const CHUNK_ROWS = 1000;

/** POS transactions: idempotent on transaction_id. */
export function createPosRepository(db: Db) {
  const { knex } = db;
  return {
    /**
     * Stores the rows that are new; returns the transaction_ids stored now. A transaction_id already stored
     * (or repeated within the call) keeps its first row: re-importing a file changes nothing.
     */
    async insert(rows: readonly PosTransaction[], receivedAt = Date.now()): Promise<Set<string>> {
      const stored = new Set<string>();
      for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
        const chunk = rows.slice(i, i + CHUNK_ROWS);
        const values = chunk.map(() => '(?,?,?,?,?)').join(',');
        const res = await knex.raw(
          `INSERT INTO pos_transactions (transaction_id, store_id, ts, basket_value_inr, received_at) VALUES ${values}
           ON CONFLICT (transaction_id) DO NOTHING RETURNING transaction_id`,
          chunk.flatMap((r) => [r.transaction_id, r.store_id, r.ts, r.basket_value_inr, receivedAt]),
        );
        const returned: { transaction_id: string }[] = db.dialect === 'pg' ? res.rows : res;
        for (const r of returned) stored.add(r.transaction_id);
      }
      return stored;
    },

    /** Transactions of a store in [from, to), oldest first. */
    async list(storeId: string, from: number, to: number): Promise<PosTransaction[]> {
      const rows = await knex('pos_transactions')
        .select('transaction_id', 'store_id', 'ts', 'basket_value_inr')
        .where('store_id', storeId)
        .andWhere('ts', '>=', from)
        .andWhere('ts', '<', to)
        .orderBy([{ column: 'ts' }, { column: 'transaction_id' }]);
      return rows.map((r) => ({ ...r, ts: Number(r.ts), basket_value_inr: Number(r.basket_value_inr) }));
    },

    async count(storeId?: string): Promise<number> {
      const q = knex('pos_transactions').count<{ n: number | string }[]>({ n: '*' });
      if (storeId) q.where({ store_id: storeId });
      const [row] = await q;
      return Number(row?.n ?? 0);
    },
  };
}
export type PosRepository = ReturnType<typeof createPosRepository>;
