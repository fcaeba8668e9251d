import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../common/logger.js';
import { CLIENT_ABORTED_STATUS } from './error-boundary.js';

const TRACE_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * One JSON line per request (event "request_complete"), with a trace id taken from X-Trace-Id or made up,
 * and echoed back. Handlers add fields (e.g. ingest counts) to ctx.state.logFields.
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-trace-id');
    const traceId = TRACE_RE.test(incoming) ? incoming : randomUUID();
    ctx.state.traceId = traceId;
    ctx.state.logFields = {};
    ctx.set('X-Trace-Id', traceId);
    try {
      await next();
    } finally {
      const latency = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({
        event: 'request_complete',
        trace_id: traceId,
        endpoint: (ctx as { routerPath?: string }).routerPath ?? ctx.path,
        path: ctx.path,
        method: ctx.method,
        status_code: ctx.state.clientAborted ? CLIENT_ABORTED_STATUS : ctx.status,
        ...(ctx.state.clientAborted ? { client_aborted: true } : {}),
        latency_ms: Math.round(latency * 100) / 100,
        ...ctx.state.logFields,
      });
    }
  };
}
