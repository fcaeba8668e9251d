import { Router } from '@koa/router';
import { AppError } from '../../common/errors.js';
import type { ReportInterval, ReportService } from '../services/report-service.js';
import { windowQuery } from './store-routes.js';

/** GET /stores/:id/report.csv?from&to&interval=hour|day (default hour): the metrics as a spreadsheet. */
export function reportRoutes(reports: ReportService): Router {
  const router = new Router();
  router.get('/stores/:id/report.csv', async (ctx) => {
    const interval = ctx.query.interval ?? 'hour';
    if (Array.isArray(interval)) throw new AppError('INVALID_QUERY', 'interval: given more than once; give it once', { field: 'interval' });
    const { csv, filename } = await reports.report(ctx.params.id!, windowQuery(ctx), interval as ReportInterval);
    ctx.type = 'text/csv; charset=utf-8; header=present';
    ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
    ctx.body = csv;
  });
  return router;
}
