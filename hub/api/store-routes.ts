import { Router } from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../common/errors.js';
import type { AnomalyService } from '../services/anomaly-service.js';
import type { LayoutService } from '../services/layout-service.js';
import type { MetricsService, WindowInput } from '../services/metrics-service.js';
import { visibleStores } from '../security/store-scope.js';

/** from/to from the query string; a repeated parameter is ambiguous, so it is refused. */
export function windowQuery(ctx: Context): WindowInput {
  const one = (name: 'from' | 'to'): string | undefined => {
    const v = ctx.query[name];
    if (Array.isArray(v)) throw new AppError('INVALID_QUERY', `${name}: given ${v.length} times; give it once`, { field: name });
    return v;
  };
  return { from: one('from'), to: one('to') };
}

/**
 * The analytics read API: every route takes `from`/`to` (ISO-8601 with a zone, or YYYY-MM-DD in the
 * store's zone; default today there). Unknown store → 404, bad window → 400, empty store → zeros.
 */
export function storeRoutes(deps: { metrics: MetricsService; anomalies: AnomalyService; layouts: LayoutService }): Router {
  const router = new Router();
  const { metrics } = deps;

  router.get('/stores', (ctx) => {
    ctx.body = {
      stores: visibleStores(ctx, deps.layouts.storeIds()).map((id) => {
        const l = deps.layouts.require(id);
        return { store_id: id, name: l.name, timezone: l.timezone };
      }),
    };
  });
  router.get('/stores/:id/metrics', async (ctx) => {
    ctx.body = await metrics.metrics(ctx.params.id!, windowQuery(ctx));
  });
  router.get('/stores/:id/metrics/hourly', async (ctx) => {
    ctx.body = await metrics.hourly(ctx.params.id!, windowQuery(ctx));
  });
  router.get('/stores/:id/funnel', async (ctx) => {
    ctx.body = await metrics.funnel(ctx.params.id!, windowQuery(ctx));
  });
  router.get('/stores/:id/heatmap', async (ctx) => {
    ctx.body = await metrics.heatmap(ctx.params.id!, windowQuery(ctx));
  });
  router.get('/stores/:id/anomalies', async (ctx) => {
    ctx.body = await deps.anomalies.anomalies(ctx.params.id!, windowQuery(ctx));
  });
  return router;
}
