import { Router } from '@koa/router';
import { AppError } from '../../common/errors.js';
import { idSchema } from '../../common/event.js';
import { parseHeatmapPayload } from '../../common/heatmap.js';
import type { Logger } from '../../common/logger.js';
import { guardDb } from '../store/db.js';
import type { HeatmapRepository } from '../store/heatmap-repository.js';
import type { WindowInput } from '../services/metrics-service.js';
import { windowQuery } from './store-routes.js';

/** The slice of the metrics service these routes need: a store's window (404 for an unknown store). */
export interface StoreWindows {
  window(storeId: string, input?: WindowInput): { from: number; to: number };
}

/**
 * Where the MQTT transport hands `store/<s>/camera/<c>/heatmap` payloads (common/heatmap.ts). A bad payload
 * throws AppError BAD_REQUEST naming the field (the transport logs and drops it); a database outage throws
 * DB_UNAVAILABLE so the message is not acknowledged and comes back.
 */
export function createHeatmapSink(deps: { repo: HeatmapRepository; logger: Logger; clock?: () => number; onRecorded?: (storeId: string, cameraId: string) => void }) {
  const clock = deps.clock ?? Date.now;
  return {
    async record(storeId: string, cameraId: string, payload: unknown): Promise<void> {
      const p = parseHeatmapPayload(payload);
      if (p.kind === 'grid') {
        await guardDb(() => deps.repo.upsertGrid(storeId, cameraId, p.grid));
      } else {
        await guardDb(() => deps.repo.setBackground(storeId, cameraId, p.background.mime, p.background.image_base64, clock()));
        deps.logger.info({ event: 'camera_background_stored', store_id: storeId, camera_id: cameraId, bytes: Math.floor((p.background.image_base64.length * 3) / 4) });
      }
      deps.onRecorded?.(storeId, cameraId);
    },
  };
}
export type HeatmapSink = ReturnType<typeof createHeatmapSink>;

function cameraId(raw: string | undefined): string {
  const r = idSchema.safeParse(raw);
  if (!r.success) throw new AppError('BAD_REQUEST', `cam: camera id must be 1–64 characters of [A-Za-z0-9_-]`, { field: 'cam' });
  return r.data;
}

/**
 * GET /stores/:id/cameras/:cam/heatmap?from&to → the camera's occupancy grid summed over the window (default
 * today in the store's zone); GET /stores/:id/cameras/:cam/background → the people-free frame the agent sent.
 */
export function cameraRoutes(deps: { repo: HeatmapRepository; windows: StoreWindows }): Router {
  const router = new Router();

  router.get('/stores/:id/cameras/:cam/heatmap', async (ctx) => {
    const storeId = ctx.params.id!;
    const w = deps.windows.window(storeId, windowQuery(ctx));
    const cam = cameraId(ctx.params.cam);
    const grid = await guardDb(() => deps.repo.sumGrid(storeId, cam, w.from, w.to));
    const window = { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
    ctx.body = grid
      ? { camera_id: cam, ...grid, max: Math.max(0, ...grid.counts), window }
      : { camera_id: cam, cols: 0, rows: 0, counts: [], minutes: 0, skipped_minutes: 0, max: 0, window };
  });

  router.get('/stores/:id/cameras/:cam/background', async (ctx) => {
    const storeId = ctx.params.id!;
    deps.windows.window(storeId); // 404 for an unknown store, like every /stores/:id route
    const cam = cameraId(ctx.params.cam);
    const bg = await guardDb(() => deps.repo.getBackground(storeId, cam));
    if (!bg) throw new AppError('NOT_FOUND', `no background frame for camera ${cam} of store ${storeId} yet`, { camera_id: cam });
    ctx.type = bg.mime;
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('Last-Modified', new Date(bg.updated_at).toUTCString());
    ctx.body = Buffer.from(bg.image_base64, 'base64');
  });

  return router;
}
