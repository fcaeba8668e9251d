import { Router } from '@koa/router';
import type { LayoutService } from '../services/layout-service.js';
import { readJson } from './body.js';

/** GET /stores/:id/layout; PUT /stores/:id/layout with one store layout (common/layout.ts) → 200 or 201. */
export function layoutRoutes(layouts: LayoutService, cfg: { maxBytes: number }): Router {
  const router = new Router();
  router.get('/stores/:id/layout', (ctx) => {
    ctx.body = layouts.require(ctx.params.id!);
  });
  router.put('/stores/:id/layout', async (ctx) => {
    const { layout, created } = await layouts.put(ctx.params.id!, await readJson(ctx, cfg.maxBytes));
    ctx.status = created ? 201 : 200;
    ctx.body = layout;
  });
  return router;
}
