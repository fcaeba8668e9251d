import type { Logger } from '../../common/logger.js';
import type { HubBus } from '../bus.js';
import type { HubConfig } from '../config.js';
import type { CameraRepository } from '../store/camera-repository.js';
import type { Db } from '../store/db.js';
import { createAnalyticsRepository } from '../store/analytics-repository.js';
import { createKpiRepository } from '../store/kpi-repository.js';
import { createLayoutRepository } from '../store/layout-repository.js';
import { createPosRepository } from '../store/pos-repository.js';
import { createVisitorLinkRepository } from '../store/visitor-link-repository.js';
import { createAnomalyService } from './anomaly-service.js';
import { createLayoutService } from './layout-service.js';
import { createMetricsService } from './metrics-service.js';
import { createPosService } from './pos-service.js';
import { createReportService } from './report-service.js';

/** Wires the analytics services for buildHub; loads the layouts (STORE_LAYOUT) before answering. */
export async function createAnalyticsServices(deps: {
  db: Db;
  bus: HubBus;
  config: HubConfig;
  logger: Logger;
  cameras: CameraRepository;
  clock?: () => number;
}) {
  const { config, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const analytics = createAnalyticsRepository(deps.db);
  const posRepo = createPosRepository(deps.db);
  const links = createVisitorLinkRepository(deps.db);
  const layouts = createLayoutService({ repo: createLayoutRepository(deps.db), logger, clock });
  await layouts.init(config.storeLayoutPath);
  const { posMaxRows, ...thresholds } = config.analytics;
  const metrics = createMetricsService({ analytics, kpi: createKpiRepository(deps.db), pos: posRepo, layouts, links, clock });
  return {
    layouts,
    metrics,
    reports: createReportService({ metrics, layouts }),
    anomalies: createAnomalyService({
      analytics,
      pos: posRepo,
      cameras: deps.cameras,
      layouts,
      links,
      clock,
      thresholds: { ...thresholds, staleFeedMinutes: config.staleFeedMinutes },
    }),
    pos: createPosService({ repo: posRepo, layouts, bus: deps.bus, logger, maxRows: posMaxRows }),
  };
}
export type AnalyticsServices = Awaited<ReturnType<typeof createAnalyticsServices>>;
