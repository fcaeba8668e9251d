import type { Middleware } from 'koa';
import { AppError } from '../../common/errors.js';
import type { Keyring, Principal } from './api-keys.js';
import { requiredAccess } from './policy.js';

/** A presented key: `Authorization: Bearer …`, `X-API-Key: …`, or `?api_key=` on GET (EventSource cannot set headers). */
function presentedKey(ctx: Parameters<Middleware>[0]): string | null {
  const auth = ctx.get('authorization');
  if (/^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  const header = ctx.get('x-api-key');
  if (header) return header.trim();
  const q = ctx.query.api_key;
  if (ctx.method === 'GET' && typeof q === 'string') return q;
  return null;
}

/**
 * Sets ctx.state.principal and enforces the access policy. With no keyring (no HUB_API_KEYS_FILE) the hub is
 * open: every caller is an anonymous admin, and the hub warned about it at start.
 */
export function authenticate(keyring: Keyring | null): Middleware {
  return async (ctx, next) => {
    ctx.state.authRequired = keyring !== null;
    if (!keyring) {
      ctx.state.principal = { name: 'anonymous', role: 'admin', stores: null } satisfies Principal;
      return next();
    }
    const key = presentedKey(ctx);
    const principal = key ? await keyring.verify(key, { ip: ctx.ip }) : null;
    ctx.state.principal = principal;
    const access = requiredAccess(ctx.method, ctx.path);
    if (access.open) return next();
    if (!principal) {
      ctx.set('WWW-Authenticate', 'Bearer realm="store-intelligence"');
      throw new AppError('UNAUTHORIZED', key ? 'API key not recognised' : 'an API key is required (Authorization: Bearer <key>)');
    }
    if (!access.roles.includes(principal.role)) {
      throw new AppError('FORBIDDEN', `this key's role "${principal.role}" cannot ${ctx.method} ${ctx.path} (needs ${access.roles.join(' or ')})`);
    }
    if (access.storeId && principal.stores && !principal.stores.has(access.storeId)) {
      throw new AppError('FORBIDDEN', `this key is not allowed for store ${access.storeId}`);
    }
    ctx.state.logFields.key_name = principal.name;
    return next();
  };
}
