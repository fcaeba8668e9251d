import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Router } from '@koa/router';
import type { Logger } from '../common/logger.js';
import type { HubConfig } from './config.js';
import { errorBoundary } from './api/error-boundary.js';
import { healthRoutes } from './api/health-routes.js';
import { ingestRoutes } from './api/ingest-routes.js';
import { requestLog } from './api/request-log.js';
import { createHealthService } from './health/health-service.js';
import { createEventWriter } from './ingest/event-writer.js';
import { createIngestService } from './ingest/service.js';
import { createCameraRepository } from './store/camera-repository.js';
import { openDb, type Db } from './store/db.js';
import { createEventRepository } from './store/event-repository.js';
import { createHubBus } from './bus.js';

/**
 * Builds the hub without opening sockets (after koa's app.callback()/listen() split): tests drive `app.callback()`
 * directly; `startHub` adds the listeners.
 */
export async function buildHub(config: HubConfig, deps: { logger: Logger; db?: Db }) {
  const { logger } = deps;
  const db = deps.db ?? (await openDb(config.database.url, config.database.schema));
  const bus = createHubBus();
  const repos = { events: createEventRepository(db), cameras: createCameraRepository(db) };
  const writer = createEventWriter(repos.events);
  const ingest = createIngestService({ writer, logger, onStored: (events) => bus.emit('events_stored', events) });
  const health = createHealthService({ ...repos, staleFeedMinutes: config.staleFeedMinutes });

  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged by the boundary, not printed by koa
  app.use(requestLog(logger));
  app.use(errorBoundary(logger));
  const routers: Router[] = [healthRoutes(health), ingestRoutes(ingest, config.ingest)];
  // --- analytics (issue 3): services and routers ---
  // --- end analytics ---
  // --- dashboard and live stream (issue 7) ---
  // --- end dashboard ---
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());

  return {
    app,
    db,
    bus,
    repos,
    ingest,
    health,
    writer,
    async close(): Promise<void> {
      await writer.idle();
      if (!deps.db) await db.close();
    },
  };
}
export type Hub = Awaited<ReturnType<typeof buildHub>>;

export interface RunningHub {
  hub: Hub;
  server: Server;
  httpPort: number;
  mqttPort: number | null;
  close(): Promise<void>;
}

/** Builds the hub and opens its listeners; `close` stops accepting, finishes in-flight requests, then closes the DB. */
export async function startHub(config: HubConfig, deps: { logger: Logger; db?: Db }): Promise<RunningHub> {
  const hub = await buildHub(config, deps);
  const server = createServer(hub.app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => resolve());
  });
  const httpPort = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    hub,
    server,
    httpPort,
    mqttPort: null,
    close() {
      closed ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await hub.close();
      })();
      return closed;
    },
  };
}
