import { Router } from '@koa/router';
import type { HealthService } from '../health/health-service.js';

/** GET /health: 200 when healthy or degraded, 503 when the database is down. */
export function healthRoutes(health: HealthService): Router {
  const router = new Router();
  router.get('/health', async (ctx) => {
    const report = await health.report();
    ctx.status = report.status === 'unhealthy' ? 503 : 200;
    ctx.body = report;
  });
  return router;
}
