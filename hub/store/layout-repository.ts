import type { Db } from './db.js';

export interface StoredLayout {
  store_id: string;
  /** The layout as JSON text, validated before it was stored. */
  layout: string;
  updated_at: number;
}

/** Store layouts set through PUT /stores/:id/layout or seeded from STORE_LAYOUT at start. */
export function createLayoutRepository(db: Db) {
  const { knex } = db;
  return {
    async all(): Promise<StoredLayout[]> {
      const rows = await knex<StoredLayout>('store_layouts').select('*').orderBy('store_id');
      return rows.map((r) => ({ ...r, updated_at: Number(r.updated_at) }));
    },
    async upsert(storeId: string, layoutJson: string, updatedAt: number): Promise<void> {
      await knex('store_layouts')
        .insert({ store_id: storeId, layout: layoutJson, updated_at: updatedAt })
        .onConflict('store_id')
        .merge();
    },
  };
}
export type LayoutRepository = ReturnType<typeof createLayoutRepository>;
