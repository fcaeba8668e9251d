import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../common/logger.js';
import { dashboardRoutes, prepareDashboard } from '../../../hub/api/dashboard-routes.js';
import { buildDashboard, needsBuild, SRC_DIR } from '../../../hub/dashboard/build.js';

describe('dashboard bundle (esbuild, in-process)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'dist-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds index.html, app.js and app.css from src/, and knows when it is stale', async () => {
    const dist = join(dir, 'dist');
    expect(needsBuild(SRC_DIR, dist)).to.equal(true);
    const r = await buildDashboard({ distDir: dist });
    expect(r.files.map((f) => f.path)).to.include.members(['index.html', 'assets/app.js', 'assets/app.css']);
    console.log(`      bundle: ${r.files.map((f) => `${f.path} ${(f.bytes / 1024).toFixed(1)} kB`).join(', ')}; ${r.ms} ms`);
    expect(needsBuild(SRC_DIR, dist)).to.equal(false);
    const past = new Date('2000-01-01T00:00:00Z'); // older than any checkout of src/
    utimesSync(join(dist, 'index.html'), past, past);
    expect(needsBuild(SRC_DIR, dist)).to.equal(true);
    const files = await prepareDashboard(silentLogger(), dist);
    expect(files.problem).to.equal(null);
    expect([...files.assets.keys()]).to.include('app.js');
  });

  it('without a bundle, / answers 503 saying how to build it (the API keeps working)', async () => {
    const files = await prepareDashboard(silentLogger(), join(dir, 'missing'));
    expect(existsSync(join(dir, 'missing'))).to.equal(false);
    expect(files.problem).to.match(/npm run build:dashboard/);
    const layer = dashboardRoutes(files).stack.find((l) => l.path === '/')!;
    const ctx = { status: 404, body: undefined as unknown, type: '' };
    await (layer.stack[0] as unknown as (c: unknown, n: () => Promise<void>) => Promise<void>)(ctx, async () => undefined);
    expect(ctx.status).to.equal(503);
    expect(String(ctx.body)).to.match(/build:dashboard/);
  });
});
