import { Router } from '@koa/router';
import { AppError } from '../../common/errors.js';
import { findCamera, type StoreLayout } from '../../common/layout.js';
import type { LiveRelay } from '../services/live-relay.js';
import { openEventStream } from './sse.js';
import { sseFrame } from './stream-routes.js';

/**
 * GET /stores/:id/cameras/:cam/live: Server-Sent Events `positions` (common/live.ts) of one camera for the
 * calibration page. Opening it is the demand: the relay asks the agent for positions while at least one is open.
 */
export function liveRoutes(deps: { layouts: { require(storeId: string): StoreLayout }; relay: LiveRelay; keepaliveMs: number; retryMs: number }) {
  const open = new Set<() => void>();
  const router = new Router();
  router.get('/stores/:id/cameras/:cam/live', (ctx) => {
    const storeId = ctx.params.id!;
    const cameraId = ctx.params.cam!;
    if (!findCamera(deps.layouts.require(storeId), cameraId)) {
      throw new AppError('NOT_FOUND', `store ${storeId} has no camera ${cameraId} in its layout`, { camera_id: cameraId });
    }
    const body = openEventStream(ctx);
    let closed = false;
    const write = (s: string) => {
      if (!closed) body.write(s);
    };
    const unwatch = deps.relay.watch(storeId, cameraId, (p) => write(sseFrame('positions', p)));
    const keepalive = setInterval(() => write(': keepalive\n\n'), deps.keepaliveMs);
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepalive);
      unwatch();
      open.delete(end);
    };
    const end = () => {
      cleanup();
      body.end();
    };
    open.add(end);
    ctx.req.on('close', cleanup);
    body.on('close', cleanup);
    write(`retry: ${deps.retryMs}\n: watching ${cameraId}\n\n`);
  });
  return {
    router,
    /** Ends every open stream (hub shutdown). */
    closeAll(): void {
      for (const end of [...open]) end();
    },
  };
}
