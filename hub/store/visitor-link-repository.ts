import type { Db } from './db.js';

/**
 * One cross-camera link: the visitor id a non-entrance camera gave a track → the entrance visitor it is.
 * Links are data of their own: stored events keep the id their camera gave them, and analytics canonicalise
 * ids through the links when they read (docs/DESIGN.md, "Cross-camera identity").
 */
export interface VisitorLink {
  store_id: string;
  /** The non-entrance camera's visitor id (the id that is replaced when reading). */
  visitor_id: string;
  /** The entrance camera's visitor id it belongs to (the id analytics count under). */
  entrance_visitor_id: string;
  /** The camera that saw `visitor_id`. */
  camera_id: string;
  /** The resolver's confidence in the link (higher is surer); kept for audit and thresholds, not used by analytics. */
  score: number;
  /** Epoch ms on the events' clock: when the linked track was seen, so a window of events finds its links by time. */
  linked_at: number;
}

/** Rows per INSERT: 6 columns × 500 stays far under both databases' parameter limits. */
const CHUNK_ROWS = 500;

/** Cross-camera visitor links, one row per (store, non-entrance visitor id). */
export function createVisitorLinkRepository(db: Db) {
  const { knex } = db;
  return {
    /**
     * Upserts links. Saving the same link again changes nothing; a revised link for the same (store, visitor_id)
     * replaces the earlier one, so the resolver can correct itself. Within one call the last row of a key wins.
     */
    async saveLinks(links: readonly VisitorLink[]): Promise<void> {
      const byKey = new Map<string, VisitorLink>();
      for (const l of links) byKey.set(`${l.store_id}\u0000${l.visitor_id}`, l);
      const rows = [...byKey.values()];
      for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
        const chunk = rows.slice(i, i + CHUNK_ROWS).map((l) => ({
          store_id: l.store_id,
          visitor_id: l.visitor_id,
          entrance_visitor_id: l.entrance_visitor_id,
          camera_id: l.camera_id,
          score: l.score,
          linked_at: l.linked_at,
        }));
        await knex('visitor_links')
          .insert(chunk)
          .onConflict(['store_id', 'visitor_id'])
          .merge(['entrance_visitor_id', 'camera_id', 'score', 'linked_at']);
      }
    },

    /** Links of a store with linked_at in [fromMs, toMs): non-entrance visitor id → entrance visitor id. */
    async readLinks(storeId: string, fromMs: number, toMs: number): Promise<Map<string, string>> {
      const rows: { visitor_id: string; entrance_visitor_id: string }[] = await knex('visitor_links')
        .select('visitor_id', 'entrance_visitor_id')
        .where('store_id', storeId)
        .andWhere('linked_at', '>=', fromMs)
        .andWhere('linked_at', '<', toMs)
        .orderBy([{ column: 'linked_at' }, { column: 'visitor_id' }]);
      return new Map(rows.map((r) => [r.visitor_id, r.entrance_visitor_id]));
    },
  };
}
export type VisitorLinkRepository = ReturnType<typeof createVisitorLinkRepository>;
