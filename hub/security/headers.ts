import type { Middleware } from 'koa';

/**
 * Security headers (the subset of helmet's defaults that applies to a JSON API plus a same-origin dashboard;
 * written out rather than depending on koa-helmet: seven fixed headers, see docs/CHOICES.md).
 */
export function securityHeaders(opts: { tls: boolean }): Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    if (opts.tls) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    await next();
  };
}

/** CORS is off (no Access-Control-* headers at all) unless HUB_CORS_ORIGINS lists origins. */
export function cors(origins: readonly string[]): Middleware {
  const allowed = new Set(origins);
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (!origin || !allowed.has(origin)) {
      if (ctx.method === 'OPTIONS' && origin) {
        ctx.status = 403;
        ctx.body = { error: { code: 'FORBIDDEN', message: `origin ${origin} is not allowed (HUB_CORS_ORIGINS)` } };
        return;
      }
      return next();
    }
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Vary', 'Origin');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, X-API-Key, Content-Type, X-Trace-Id');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}
