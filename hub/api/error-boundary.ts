import type { Context, Middleware } from 'koa';
import { isAppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';

/** Seconds a client should wait before retrying when the database is unavailable. */
export const DB_RETRY_AFTER_S = 5;

/** Status logged for a request whose client hung up first (nginx's convention; nothing is sent). */
export const CLIENT_ABORTED_STATUS = 499;

/** The client went away mid-request (its socket closed before the body was read): not the hub's error. */
function clientAborted(ctx: Context, err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return (ctx.req.destroyed && !ctx.req.complete) || code === 'ECONNRESET' || code === 'ECONNABORTED' || (err as Error)?.message === 'aborted';
}

/**
 * The one place errors become HTTP answers: `{error: {code, message, ...details}}`.
 * Unknown errors answer 500 with a generic message; the stack goes to the log only.
 */
export function errorBoundary(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'NOT_FOUND', message: `no route for ${ctx.method} ${ctx.path}` } };
      }
    } catch (err) {
      if (clientAborted(ctx, err)) {
        ctx.state.clientAborted = true; // request-log reports 499 at info level; nobody is left to answer
        return;
      }
      if (isAppError(err)) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.expose ? err.message : 'internal error', ...(err.expose ? err.details : {}) } };
        if (err.code === 'DB_UNAVAILABLE') ctx.set('Retry-After', String(DB_RETRY_AFTER_S));
        if (err.code === 'RATE_LIMITED' && err.details?.retry_after_s) ctx.set('Retry-After', String(err.details.retry_after_s));
        if (err.status >= 500) logger.error({ err, trace_id: ctx.state.traceId }, err.message);
        return;
      }
      const status = (err as { status?: number }).status;
      if (status && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: { code: 'BAD_REQUEST', message: (err as Error).message } };
        return;
      }
      logger.error({ err, trace_id: ctx.state.traceId }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'INTERNAL', message: 'internal error' } };
    }
  };
}
