import type { Middleware } from 'koa';
import { AppError } from '../../common/errors.js';
import type { Principal } from './api-keys.js';
import type { RateLimiter } from './rate-limit.js';

/** Applies per-IP and per-key buckets to write requests (ingest, POS); 429 with Retry-After when empty. */
export function rateLimit(limiters: { perIp: RateLimiter; perKey: RateLimiter }, clock: () => number = Date.now): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST') return next();
    const now = clock();
    const principal = ctx.state.principal as Principal | null;
    const checks: [RateLimiter, string][] = [[limiters.perIp, `ip:${ctx.ip}`]];
    if (principal && ctx.state.authRequired) checks.push([limiters.perKey, `key:${principal.name}`]);
    for (const [limiter, key] of checks) {
      const r = limiter.take(key, now);
      if (!r.ok) {
        throw new AppError('RATE_LIMITED', `too many requests for ${key.split(':')[0]}; retry in ${r.retryAfterS} s`, {
          retry_after_s: r.retryAfterS,
        });
      }
    }
    return next();
  };
}
