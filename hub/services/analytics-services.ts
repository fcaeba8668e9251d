import type { Logger } from '../../common/logger.js';
import type { HubBus } from '../bus.js';
import type { HubConfig } from '../config.js';
import type { CameraRepository } from '../store/camera-repository.js';
import type { Db } from '../store/db.js';
import { createAnalyticsRepository } from '../store/analytics-repository.js';
import { createLayoutRepository } from '../store/layout-repository.js';
import { createPosRepository } from '../store/pos-repository.js';
import { createVisitorLinkRepository } from '../store/visitor-link-repository.js';
import { createAnomalyService } from './anomaly-service.js';
import { createLayoutService } from './layout-service.js';
import { createMetricsService } from './metrics-service.js';
import { createPosService } from './pos-service.js';

const ROLLUP_DELAY_MS = 1000;

/** Wires the analytics services (issue 3) for buildHub; loads the layouts (STORE_LAYOUT) before answering. */
export async function createAnalyticsServices(deps: {
  db: Db;
  bus: HubBus;
  config: HubConfig;
  logger: Logger;
  cameras: CameraRepository;
  clock?: () => number;
  /** Runs the fold elsewhere (the SQLite writer thread); default: on the hub's connection. */
  fold?: () => Promise<number>;
}) {
  const { config, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const analytics = createAnalyticsRepository(deps.db, { fold: deps.fold });
  const posRepo = createPosRepository(deps.db);
  const links = createVisitorLinkRepository(deps.db);
  const layouts = createLayoutService({ repo: createLayoutRepository(deps.db), logger, clock });
  await layouts.init(config.storeLayoutPath);
  // Fold new events into the rollups soon after they are stored, so queries rarely wait for it; at most one pass
  // a second, so a burst of ingest is folded in large batches instead of competing with every commit. The SQLite
  // writer thread (deps.fold) schedules its own folds: every full step under load, and when inserts pause.
  let timer: NodeJS.Timeout | null = null;
  if (!deps.fold) deps.bus.on('events_stored', () => {
    timer ??= setTimeout(() => {
      timer = null;
      analytics.ready().catch((err: Error) => logger.warn({ event: 'rollup_catch_up_failed', err: err.message }));
    }, ROLLUP_DELAY_MS).unref();
  });
  const started = Date.now();
  const folded = await analytics.ready();
  if (folded > 0) logger.info({ event: 'rollup_caught_up', events: folded, ms: Date.now() - started }, 'analytics rollups caught up');
  const a = config.analytics;
  return {
    /** Moves staged events into events and folds the rollups now (normally a second after ingest). */
    fold: () => analytics.ready(),
    layouts,
    metrics: createMetricsService({ analytics, pos: posRepo, layouts, links, clock }),
    anomalies: createAnomalyService({
      analytics,
      pos: posRepo,
      cameras: deps.cameras,
      layouts,
      links,
      clock,
      thresholds: {
        queueSpikeDepth: a.queueSpikeDepth,
        queueSpikeFactor: a.queueSpikeFactor,
        conversionDropRatio: a.conversionDropRatio,
        conversionMinVisitors: a.conversionMinVisitors,
        deadZoneMinutes: a.deadZoneMinutes,
        deadZoneMinVisitors: a.deadZoneMinVisitors,
        staleFeedMinutes: config.staleFeedMinutes,
      },
    }),
    pos: createPosService({ repo: posRepo, layouts, bus: deps.bus, logger, maxRows: a.posMaxRows }),
  };
}
export type AnalyticsServices = Awaited<ReturnType<typeof createAnalyticsServices>>;
