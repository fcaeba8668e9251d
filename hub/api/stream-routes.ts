import { Router } from '@koa/router';
import type { Context } from 'koa';
import { isAppError } from '../../common/errors.js';
import type { StoreEvent } from '../../common/event.js';
import type { Logger } from '../../common/logger.js';
import type { HubBus } from '../bus.js';
import type { WindowInput } from '../services/metrics-service.js';
import { openEventStream } from './sse.js';
import { windowQuery } from './store-routes.js';

/** The slice of the metrics service the stream needs (hub/services/metrics-service.ts). */
export interface MetricsSource {
  window(storeId: string, input?: WindowInput): { from: number; to: number };
  metrics(storeId: string, input?: WindowInput): Promise<unknown>;
}

export interface StreamOptions {
  /** After the first new event, wait this long for more before recomputing (one query per burst, not per batch). */
  debounceMs: number;
  /** Comment line sent this often so proxies and idle timeouts keep the connection open. */
  keepaliveMs: number;
  /** Reconnection delay the browser's EventSource is told to use (the SSE `retry:` field). */
  retryMs: number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}
const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** One SSE frame (WHATWG HTML §9.2 "Server-sent events": `event:`/`id:`/`data:` lines, a blank line ends it). */
export function sseFrame(event: string, data: unknown, id?: number): string {
  const lines = JSON.stringify(data).split('\n').map((l) => `data: ${l}`);
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\n${lines.join('\n')}\n\n`;
}

/**
 * GET /stores/:id/stream: Server-Sent Events with the store's metrics (exactly the body of GET /stores/:id/metrics
 * for the same from/to) on connect and again within `debounceMs` + one query of new events or POS rows arriving
 * (hub bus), plus `heatmap` notices when a camera grid or background arrives. Keepalive comments every
 * `keepaliveMs`; listeners and timers go when the client does. `closeAll` ends every stream so the HTTP server
 * can close (an open stream would hold `server.close()` forever).
 */
export function createStreamRoutes(deps: { bus: HubBus; metrics: MetricsSource; logger: Logger; options: StreamOptions; timers?: Timers }) {
  const timers = deps.timers ?? realTimers;
  const { options: o } = deps;
  const log = deps.logger.child({ component: 'sse' });
  const open = new Set<() => void>();
  const heatmapListeners = new Set<(storeId: string, cameraId: string) => void>();

  function serve(ctx: Context): void {
    const storeId = ctx.params.id!;
    const input = windowQuery(ctx);
    deps.metrics.window(storeId, input); // unknown store → 404, bad window → 400, before any header is sent

    const body = openEventStream(ctx);

    let seq = 0;
    let pending: unknown = null;
    let running = false;
    let dirty = false;
    let closed = false;
    const write = (s: string) => {
      if (!closed) body.write(s);
    };

    async function push(): Promise<void> {
      pending = null;
      if (running) {
        dirty = true;
        return;
      }
      running = true;
      try {
        const m = await deps.metrics.metrics(storeId, input);
        write(sseFrame('metrics', m, ++seq));
      } catch (err) {
        const code = isAppError(err) ? err.code : 'INTERNAL';
        log.warn({ event: 'sse_metrics_failed', store_id: storeId, code, err: (err as Error).message });
        write(sseFrame('error', { code, message: isAppError(err) && err.expose ? err.message : 'metrics unavailable' }));
      } finally {
        running = false;
        if (dirty && !closed) {
          dirty = false;
          schedule();
        }
      }
    }
    // Throttle, not a sliding debounce: the first event starts the timer and later ones ride along, so a
    // steady stream of batches cannot postpone the update forever.
    function schedule(): void {
      if (pending === null && !closed) pending = timers.setTimeout(() => void push(), o.debounceMs);
    }
    const onEvents = (events: StoreEvent[]) => {
      if (events.some((e) => e.store_id === storeId)) schedule();
    };
    const onPos = (s: string) => {
      if (s === storeId) schedule();
    };
    const onHeatmap = (s: string, cameraId: string) => {
      if (s === storeId) write(sseFrame('heatmap', { camera_id: cameraId }));
    };
    const keepalive = timers.setInterval(() => write(': keepalive\n\n'), o.keepaliveMs);

    const cleanup = () => {
      if (closed) return;
      closed = true;
      deps.bus.off('events_stored', onEvents);
      deps.bus.off('pos_stored', onPos);
      heatmapListeners.delete(onHeatmap);
      timers.clearInterval(keepalive);
      if (pending !== null) timers.clearTimeout(pending);
      open.delete(end);
      log.debug({ event: 'sse_closed', store_id: storeId, clients: open.size });
    };
    const end = () => {
      cleanup();
      body.end();
    };
    deps.bus.on('events_stored', onEvents);
    deps.bus.on('pos_stored', onPos);
    heatmapListeners.add(onHeatmap);
    open.add(end);
    ctx.req.on('close', cleanup);
    body.on('close', cleanup);
    log.debug({ event: 'sse_open', store_id: storeId, clients: open.size });

    write(`retry: ${o.retryMs}\n: connected\n\n`);
    void push();
  }

  const router = new Router();
  router.get('/stores/:id/stream', serve);

  return {
    router,
    /** Tells the streams of a store that a camera heatmap or background arrived. */
    heatmapRecorded(storeId: string, cameraId: string): void {
      for (const l of heatmapListeners) l(storeId, cameraId);
    },
    /** Ends every open stream (hub shutdown); the browsers reconnect by themselves. */
    closeAll(): void {
      for (const end of [...open]) end();
    },
    clients: () => open.size,
  };
}
export type StreamRoutes = ReturnType<typeof createStreamRoutes>;
