import type { Router } from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { AppError } from '../../common/errors.js';
import type { Principal } from './api-keys.js';

/** The route parameter every store-bound route names its store by (`/stores/:id/…`). */
export const STORE_PARAM = 'id';

/**
 * Store scope decided on the id the router actually matched, not on a second reading of the path: the router
 * matches case-insensitively, tolerates a trailing slash and percent-decodes parameters, so any separate
 * pattern over `ctx.path` can disagree with it (an upper-case `/STORES/B/…` once reached store B with a key of
 * store A). The param hook runs after matching and before the handler, with the same decoded id the handler gets.
 */
export function enforceStoreScope(router: Router): Router {
  for (const layer of router.stack) {
    const names = layer.paramNames.map((p) => p.name);
    if (/^\/stores\/:/i.test(String(layer.path)) && names[0] !== STORE_PARAM) {
      // Fail closed at start: a store-bound route under another parameter name would escape the check below.
      throw new AppError('CONFIG_INVALID', `route ${String(layer.path)} must name its store parameter :${STORE_PARAM}`);
    }
  }
  return router.param(STORE_PARAM, (id, ctx, next) => {
    checkStore(ctx, id);
    return next();
  });
}

function checkStore(ctx: ParameterizedContext, storeId: string): void {
  if (!ctx.state.authRequired) return;
  const principal = ctx.state.principal as Principal | null;
  if (!principal) {
    ctx.set('WWW-Authenticate', 'Bearer realm="store-intelligence"');
    throw new AppError('UNAUTHORIZED', 'an API key is required (Authorization: Bearer <key>)');
  }
  if (principal.stores && !principal.stores.has(storeId)) {
    throw new AppError('FORBIDDEN', `this key is not allowed for store ${storeId.slice(0, 64)}`);
  }
}

/** The stores a caller may see among `ids` (all of them for an unscoped key or an open hub). */
export function visibleStores(ctx: ParameterizedContext, ids: readonly string[]): string[] {
  const principal = ctx.state.principal as Principal | null | undefined;
  if (!principal?.stores) return [...ids];
  return ids.filter((id) => principal.stores!.has(id));
}
