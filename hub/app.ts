import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Router } from '@koa/router';
import type { Logger } from '../common/logger.js';
import type { HubConfig } from './config.js';
import { errorBoundary } from './api/error-boundary.js';
import { healthRoutes } from './api/health-routes.js';
import { ingestRoutes } from './api/ingest-routes.js';
import { openApiRoutes } from './api/openapi-routes.js';
import { requestLog } from './api/request-log.js';
import { createHealthService } from './health/health-service.js';
import { createEventWriter } from './ingest/event-writer.js';
import { createIngestService } from './ingest/service.js';
import { createCameraRepository } from './store/camera-repository.js';
import { openDb, type Db } from './store/db.js';
import { openEventStore } from './store/open-event-store.js';
import { createHubBus } from './bus.js';
import { timeRules } from './ingest/rules.js';
import { createKeyring } from './security/api-keys.js';
import { authenticate } from './security/auth.js';
import { cors, securityHeaders } from './security/headers.js';
import { createRateLimiter } from './security/rate-limit.js';
import { rateLimit } from './security/rate-limit-middleware.js';
import { enforceStoreScope } from './security/store-scope.js';
import { reportRoutes } from './api/report-routes.js';
import { storeRoutes } from './api/store-routes.js';
import { posRoutes } from './api/pos-routes.js';
import { layoutRoutes } from './api/layout-routes.js';
import { createAnalyticsServices } from './services/analytics-services.js';
import { cameraRoutes, createHeatmapSink } from './api/camera-routes.js';
import { dashboardRoutes, prepareDashboard } from './api/dashboard-routes.js';
import { createStreamRoutes } from './api/stream-routes.js';
import { createHeatmapRepository } from './store/heatmap-repository.js';
import { startMqttTransport, type MqttTransport } from './transport/mqtt.js';
import { startLayoutFeed } from './transport/layout-feed.js';
import { liveRoutes } from './api/live-routes.js';
import { createLiveRelay, LIVE_DEFAULTS } from './services/live-relay.js';

/**
 * Builds the hub without opening sockets (after koa's app.callback()/listen() split): tests drive `app.callback()`
 * directly; `startHub` adds the listeners.
 */
export async function buildHub(config: HubConfig, deps: { logger: Logger; db?: Db }) {
  const { logger } = deps;
  const db = deps.db ?? (await openDb(config.database.url, config.database.schema));
  const bus = createHubBus();
  const repos = { events: await openEventStore(db, { logger }), cameras: createCameraRepository(db) };
  const writer = createEventWriter(repos.events, { logger });
  const ingest = createIngestService({
    writer,
    logger,
    rules: timeRules(config.eventTime),
    onStored: (events) => bus.emit('events_stored', events),
  });
  const health = createHealthService({ ...repos, staleFeedMinutes: config.staleFeedMinutes });

  const app = new Koa({ proxy: config.http.trustProxy });
  app.silent = true; // errors are logged by the boundary, not printed by koa
  app.use(requestLog(logger));
  app.use(errorBoundary(logger));
  app.use(securityHeaders({ tls: !!config.security.tls }));
  app.use(cors(config.security.corsOrigins));
  app.use(authenticate(keyringFor(config, logger)));
  app.use(rateLimit({ perIp: createRateLimiter(config.security.rateLimit.ip), perKey: createRateLimiter(config.security.rateLimit.key) }));
  const routers: Router[] = [healthRoutes(health), ingestRoutes(ingest, config.ingest), openApiRoutes()];
  const analytics = await createAnalyticsServices({ db, bus, config, logger, cameras: repos.cameras });
  routers.push(
    storeRoutes(analytics),
    reportRoutes(analytics.reports),
    posRoutes(analytics.pos, { maxBytes: config.ingest.maxBytes }),
    layoutRoutes(analytics.layouts, { maxBytes: config.ingest.maxBytes }),
  );
  const stream = createStreamRoutes({ bus, metrics: analytics.metrics, logger, options: {
    debounceMs: config.dashboard.sseDebounceMs, keepaliveMs: config.dashboard.sseKeepaliveMs, retryMs: config.dashboard.sseRetryMs,
  } });
  const heatmaps = createHeatmapRepository(db);
  const heatmapSink = createHeatmapSink({ repo: heatmaps, logger, onRecorded: stream.heatmapRecorded });
  routers.push(stream.router, cameraRoutes({ repo: heatmaps, windows: analytics.metrics }), dashboardRoutes(await prepareDashboard(logger)));
  // Calibration page: live positions of a watched camera (hub/services/live-relay.ts).
  const liveRelay = createLiveRelay({ logger, options: LIVE_DEFAULTS });
  const live = liveRoutes({ layouts: analytics.layouts, relay: liveRelay, keepaliveMs: config.dashboard.sseKeepaliveMs, retryMs: config.dashboard.sseRetryMs });
  routers.push(live.router);
  for (const router of routers) app.use(enforceStoreScope(router).routes()).use(router.allowedMethods());

  return {
    app,
    /** Every route the hub serves, for the OpenAPI completeness test. */
    routes: routers.flatMap((r) => r.stack.flatMap((l) => l.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: String(l.path) })))),
    db,
    bus,
    repos,
    ingest,
    health,
    writer,
    /** Analytics services: layouts, metrics (metrics.metrics(storeId, {from, to})), anomalies, pos. */
    analytics,
    /** Dashboard: live streams (closeAll at shutdown) and the camera heatmap sink for the MQTT transport. */
    stream,
    heatmapSink,
    /** Calibration page: live positions relay (attached to the broker in startHub) and its SSE streams. */
    liveRelay,
    live,
    async close(): Promise<void> {
      await writer.idle();
      await repos.events.close();
      if (!deps.db) await db.close();
    },
  };
}
export type Hub = Awaited<ReturnType<typeof buildHub>>;

function keyringFor(config: HubConfig, logger: Logger) {
  if (!config.security.apiKeysFile) {
    logger.warn({ event: 'auth_disabled' }, 'HUB_API_KEYS_FILE is not set: the HTTP API is open to anyone who can reach it');
    return null;
  }
  const keyring = createKeyring(config.security.apiKeysFile);
  logger.info({ event: 'auth_enabled', keys: keyring.size() }, 'API keys required');
  return keyring;
}

export interface RunningHub {
  hub: Hub;
  server: Server;
  httpPort: number;
  mqttPort: number | null;
  /** The MQTT transport: embedded broker or external-broker consumer, same ingest path as HTTP. */
  mqtt: MqttTransport;
  /** Retained layouts on the cameras' config topics. */
  layoutFeed: ReturnType<typeof startLayoutFeed>;
  close(): Promise<void>;
}

/** Builds the hub and opens its listeners; `close` stops accepting, finishes in-flight requests, then closes the DB. */
export async function startHub(config: HubConfig, deps: { logger: Logger; db?: Db }): Promise<RunningHub> {
  const hub = await buildHub(config, deps);
  const tls = config.security.tls;
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key }, hub.app.callback())
    : createServer(hub.app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => resolve());
  });
  const httpPort = (server.address() as AddressInfo).port;
  const mqtt = await startMqttTransport({
    config: config.mqtt,
    ingest: hub.ingest,
    statusSink: { record: (storeId, cameraId, status) => hub.repos.cameras.upsertStatus(storeId, cameraId, status) },
    heatmapSink: hub.heatmapSink, // store/<s>/camera/<c>/heatmap grids and backgrounds
    liveSink: hub.liveRelay, // store/<s>/camera/<c>/live positions, relayed to calibration pages
    logger: deps.logger,
  }).catch(async (err) => {
    server.close();
    await hub.close();
    throw err;
  });
  // Layouts reach the agents as retained config messages (hub/transport/layout-feed.ts).
  const layoutFeed = startLayoutFeed({ layouts: hub.analytics.layouts, publish: mqtt.publishRetained, logger: deps.logger });
  hub.liveRelay.attach(mqtt.publishRetained);
  let closed: Promise<void> | null = null;
  return {
    hub,
    server,
    httpPort,
    mqttPort: mqtt.mqttPort,
    mqtt,
    layoutFeed,
    close() {
      closed ??= (async () => {
        layoutFeed.stop();
        await layoutFeed.idle();
        await mqtt.close(); // stop taking messages before the DB closes
        hub.stream.closeAll(); // open SSE streams would hold server.close() forever
        hub.live.closeAll();
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
