import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { buildDashboard, DIST_DIR, needsBuild } from '../dashboard/build.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface StaticFile {
  type: string;
  body: Buffer;
  etag: string;
}

export interface DashboardFiles {
  index: StaticFile | null;
  assets: Map<string, StaticFile>;
  /** Why the dashboard is not available (no dist/ and no esbuild to build it), for the 503 page. */
  problem: string | null;
}

function load(path: string): StaticFile {
  const body = readFileSync(path);
  return { type: TYPES[extname(path)] ?? 'application/octet-stream', body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/**
 * Makes sure hub/dashboard/dist exists and is current (building it in-process with esbuild when it is missing or
 * older than src/, so `npm run hub` and `npm test` work on a fresh clone without a build step), then loads it into
 * memory: a handful of small files, served from RAM with ETags. Without esbuild (a production install without
 * devDependencies) and without dist/, the hub still starts and `/` explains what is missing.
 */
export async function prepareDashboard(logger: Logger, distDir = DIST_DIR): Promise<DashboardFiles> {
  if (distDir === DIST_DIR && needsBuild()) {
    try {
      const r = await buildDashboard();
      logger.info({ event: 'dashboard_built', ms: r.ms, files: r.files.length }, 'dashboard bundle built');
    } catch (err) {
      logger.warn({ event: 'dashboard_build_failed', err: (err as Error).message }, 'cannot build the dashboard bundle');
    }
  }
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) {
    return { index: null, assets: new Map(), problem: `${distDir} is missing: run npm run build:dashboard (needs the esbuild devDependency)` };
  }
  const assetsDir = join(distDir, 'assets');
  const assets = new Map(existsSync(assetsDir) ? readdirSync(assetsDir).map((f) => [f, load(join(assetsDir, f))] as const) : []);
  return { index: load(indexPath), assets, problem: null };
}

/** GET / (the dashboard page) and GET /assets/:file (its bundle); only files of dist/ by exact name. */
export function dashboardRoutes(files: DashboardFiles): Router {
  const router = new Router();
  const send = (ctx: Context, f: StaticFile, cache: string) => {
    ctx.set('ETag', f.etag);
    ctx.set('Cache-Control', cache);
    if (ctx.get('if-none-match') === f.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = f.type;
    ctx.body = f.body;
  };
  router.get('/', (ctx) => {
    if (!files.index) {
      ctx.status = 503; // the hub works (API, ingest); only the page is missing, and the reason is safe to show
      ctx.type = 'text/plain';
      ctx.body = `dashboard unavailable: ${files.problem ?? 'not built'}\n`;
      return;
    }
    send(ctx, files.index, 'no-cache');
  });
  router.get('/assets/:file', (ctx) => {
    const f = files.assets.get(ctx.params.file ?? '');
    if (!f) throw new AppError('NOT_FOUND', `no dashboard asset ${String(ctx.params.file).slice(0, 80)}`);
    // Names are not content-hashed, so the browser revalidates (a 304 costs one round trip on a LAN).
    send(ctx, f, 'no-cache');
  });
  return router;
}
