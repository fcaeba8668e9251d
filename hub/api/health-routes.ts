import { Router } from '@koa/router';
import type { HealthReport, HealthService } from '../health/health-service.js';
import type { Principal } from '../security/api-keys.js';

/**
 * /health stays open for load balancers, but when keys are required it names no store without one:
 * an anonymous caller sees the status and counts; a scoped key sees its own stores.
 */
function redact(report: HealthReport, authRequired: boolean, principal: Principal | null): unknown {
  if (!authRequired) return report;
  if (!principal) {
    return { status: report.status, db: report.db, store_count: Object.keys(report.stores).length, warning_count: report.warnings.length };
  }
  if (!principal.stores) return report;
  const stores = Object.fromEntries(Object.entries(report.stores).filter(([id]) => principal.stores!.has(id)));
  const warnings = report.warnings.filter((w) => [...principal.stores!].some((s) => w.includes(s)));
  return { ...report, stores, warnings };
}

/** GET /health: 200 when healthy or degraded, 503 when the database is down. */
export function healthRoutes(health: HealthService): Router {
  const router = new Router();
  router.get('/health', async (ctx) => {
    const report = await health.report();
    ctx.status = report.status === 'unhealthy' ? 503 : 200;
    ctx.body = redact(report, ctx.state.authRequired, ctx.state.principal);
  });
  return router;
}
