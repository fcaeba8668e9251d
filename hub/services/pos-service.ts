import type { Logger } from '../../common/logger.js';
import type { HubBus } from '../bus.js';
import { guardDb } from '../store/db.js';
import type { PosRepository } from '../store/pos-repository.js';
import type { LayoutService } from './layout-service.js';
import { parsePosCsv, parsePosJson, type PosRowError } from './pos-input.js';

export interface PosResult {
  inserted: number;
  duplicates: number;
  errors: PosRowError[];
}

/** POST /stores/:id/pos and the importer: validate each row, store the good ones, skip known transaction_ids. */
export function createPosService(deps: { repo: PosRepository; layouts: LayoutService; bus?: HubBus; logger: Logger; maxRows: number }) {
  return {
    /** Stored transactions (of one store, or all). */
    count: (storeId?: string) => deps.repo.count(storeId),

    async ingest(storeId: string, body: { csv: string } | { json: unknown }): Promise<PosResult> {
      deps.layouts.require(storeId);
      const limits = { maxRows: deps.maxRows };
      const parsed = 'csv' in body ? parsePosCsv(body.csv, storeId, limits) : parsePosJson(body.json, storeId, limits);
      const stored = await guardDb(() => deps.repo.insert(parsed.rows));
      if (stored.size > 0) deps.bus?.emit('pos_stored', storeId, stored.size);
      deps.logger.info({ event: 'pos_stored', store_id: storeId, inserted: stored.size, errors: parsed.errors.length });
      return { inserted: stored.size, duplicates: parsed.rows.length - stored.size, errors: parsed.errors };
    },
  };
}
export type PosService = ReturnType<typeof createPosService>;
