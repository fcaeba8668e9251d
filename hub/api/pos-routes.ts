import { Router } from '@koa/router';
import { AppError } from '../../common/errors.js';
import type { PosService } from '../services/pos-service.js';
import { readBody, requireContentType } from './body.js';

/**
 * POST /stores/:id/pos: a JSON array or a text/csv body (header `transaction_id,store_id,timestamp,basket_value_inr`)
 * → `{inserted, duplicates, errors:[{line|index, transaction_id, field, reason}]}`. Idempotent on transaction_id.
 */
export function posRoutes(pos: PosService, cfg: { maxBytes: number }): Router {
  const router = new Router();
  router.post('/stores/:id/pos', async (ctx) => {
    const type = requireContentType(ctx, 'application/json', 'text/csv');
    const text = (await readBody(ctx, cfg.maxBytes)).toString('utf8');
    let body: { csv: string } | { json: unknown };
    if (type === 'text/csv') body = { csv: text };
    else {
      try {
        body = { json: JSON.parse(text) };
      } catch (err) {
        throw new AppError('INVALID_JSON', `body is not valid JSON: ${(err as Error).message}`);
      }
    }
    const result = await pos.ingest(ctx.params.id!, body);
    Object.assign(ctx.state.logFields ?? {}, { inserted_pos: result.inserted, duplicates: result.duplicates, errors: result.errors.length });
    ctx.body = result;
  });
  return router;
}
