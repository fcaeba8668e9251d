import { Router } from '@koa/router';
import { AppError } from '../../common/errors.js';
import type { IngestService } from '../ingest/service.js';
import { readJson } from './body.js';

export interface IngestRouteConfig {
  maxEvents: number;
  maxBytes: number;
}

/** POST /events/ingest: `{"events":[...]}` → `{inserted, duplicates, errors:[{index,event_id,field,reason}]}`. */
export function ingestRoutes(ingest: IngestService, cfg: IngestRouteConfig): Router {
  const router = new Router();
  router.post('/events/ingest', async (ctx) => {
    const body = await readJson(ctx, cfg.maxBytes);
    const events = (body as { events?: unknown } | null)?.events;
    if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(events)) {
      throw new AppError('BAD_REQUEST', 'body must be an object with an "events" array', { field: 'events' });
    }
    if (events.length > cfg.maxEvents) {
      throw new AppError('TOO_MANY_EVENTS', `at most ${cfg.maxEvents} events per request (got ${events.length})`, {
        limit_events: cfg.maxEvents,
      });
    }
    const result = await ingest.ingest(events, { kind: 'http', allowedStores: ctx.state.principal?.stores ?? null });
    Object.assign(ctx.state.logFields, {
      inserted_events: result.inserted,
      duplicates: result.duplicates,
      errors: result.errors.length,
    });
    ctx.body = result;
  });
  return router;
}
