import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { preflight } from '../../scripts/demo/cameras.js';
import { DEFAULT_DB, parseDemoOptions } from '../../scripts/demo/options.js';
import { choosePort, isPortFree } from '../../scripts/demo/ports.js';
import { funnelTable, metricsTable } from '../../scripts/demo/report.js';
import { ASSET_SOURCES, REPO_ASSETS_DIR, sha256File } from '../../scripts/lib/assets.js';
import { serveFiles } from './serve-files.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NOW = Date.parse('2026-03-03T04:30:00Z');

/** A local HTTP server standing in for the download hosts: serves `files` at their public URL paths. */
async function standIn(files: Record<string, Buffer>) {
  const { url, hits, server } = await serveFiles(files);
  return { origin: url, hits, server };
}

function runDemo(args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('exit', (code) => (clearTimeout(t), res({ code, stdout, stderr })));
  });
}

describe('npm run demo', () => {
  it('parses its options; CI=true means --exit and free ports', async () => {
    const o = parseDemoOptions([], {}, NOW);
    expect(o).to.deep.include({ realtime: false, exit: false, startTimeMs: NOW, httpPort: null, mqttPort: null, databaseUrl: DEFAULT_DB, ci: false });
    expect(parseDemoOptions([], { CI: 'true' }, NOW)).to.include({ exit: true, ci: true, fetch: true, assetsOrigin: null });
    expect(parseDemoOptions(['--no-fetch', '--assets-origin', 'http://127.0.0.1:9'], {}, NOW)).to.include({ fetch: false, assetsOrigin: 'http://127.0.0.1:9' });
    expect(() => parseDemoOptions(['--assets-origin', 'nowhere'], {}, NOW)).to.throw(/--assets-origin/);
    expect(parseDemoOptions(['--start-time', '2026-03-03T10:00:00+05:30', '--realtime'], {}, NOW)).to.include({ startTimeMs: NOW, realtime: true });
    expect(() => parseDemoOptions(['--start-time', '2026-03-03T10:00:00'], {}, NOW)).to.throw(/--start-time must be ISO-8601 with a zone/);
    expect(() => parseDemoOptions(['--http-port', '70000'], {}, NOW)).to.throw(/--http-port/);
    expect(() => parseDemoOptions(['--db', 'mysql://x'], {}, NOW)).to.throw(/--db: must be sqlite:<path> or postgres/);
    expect(() => parseDemoOptions(['--bogus'], {}, NOW)).to.throw(/bogus.*usage: npm run demo/);
    expect(await choosePort(null, 1883, true)).to.equal(0);
    expect(await choosePort(1234, 1883, true)).to.equal(1234);
    expect(await choosePort(null, 1883, false, async () => false)).to.equal(0);
    expect(await choosePort(null, 1883, false, async () => true)).to.equal(1883);
  });

  it('detects a taken port', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '0.0.0.0', r));
    const port = (srv.address() as { port: number }).port;
    expect(await isPortFree(port)).to.equal(false);
    await new Promise((r) => srv.close(r));
    expect(await isPortFree(port)).to.equal(true);
  });

  it('formats metrics and funnel as tables', () => {
    const m = metricsTable({ unique_visitors: 6, conversion_rate: 0.5, avg_dwell_ms: 42_000, queue_depth_current: null, window: { from: 'x' } });
    expect(m).to.match(/\| unique_visitors +\| +6 \|/);
    expect(m).to.contain('50.0 %').and.contain('42.0 s').and.not.contain('window');
    expect(funnelTable({ entry: 10, zone_visit: 5, purchased: 2, window: {} })).to.match(/\| zone_visit +\| +5 \(50 %\) \|/);
  });

  it('without the model and clips, and no way to fetch them, it starts nothing and says exactly how to get them', async function () {
    this.timeout(60_000);
    const empty = mkdtempSync(join(tmpdir(), 'no-assets-'));
    const host = await standIn({});
    try {
      expect(() => preflight({ STORE_ASSETS_DIR: empty })).to.throw(/npm run assets/);
      if (existsSync(join(REPO_ASSETS_DIR, 'models'))) {
        console.log('      (CLI part not run: ./assets/ has a model, so the demo would find it)');
        return;
      }
      const r = await runDemo(['--exit', '--no-fetch'], { STORE_ASSETS_DIR: empty }, 30_000);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/the demo cannot start:/);
      expect(r.stderr).to.match(/no detector model \(yolox_nano\.onnx, /);
      expect(r.stderr).to.match(/missing media\/one-by-one-person-detection\.mp4/);
      expect(r.stderr).to.match(/To fix: run `npm run assets`.*or set STORE_ASSETS_DIR/);
      expect(r.stdout).to.not.match(/hub:/);
      // Fetching on, but the download host has nothing: the URL and status are named, nothing is kept or started.
      const f = await runDemo(['--exit', '--assets-origin', host.origin], { STORE_ASSETS_DIR: empty }, 30_000);
      expect(f.code, f.stderr).to.equal(2);
      expect(f.stderr).to.match(new RegExp(`the demo cannot start: download of ${host.origin}/\\S+ failed: HTTP 404 Not Found`));
      expect(f.stdout).to.not.match(/hub:/);
      expect(existsSync(join(empty, 'models', 'yolox_nano.onnx'))).to.equal(false);
    } finally {
      host.server.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('@integration on a fresh machine fetches and verifies the default model and the clips, then runs end to end on them', async function () {
    const assets = process.env.STORE_ASSETS_DIR;
    const needed = ASSET_SOURCES.filter((s) => !s.optional);
    if (!assets || needed.some((s) => !existsSync(join(assets, s.kind, s.name)))) {
      console.log('      skip: STORE_ASSETS_DIR is not set or lacks the default model and clips the stand-in host serves');
      return this.skip();
    }
    if (existsSync(join(REPO_ASSETS_DIR, 'models')) || existsSync(join(REPO_ASSETS_DIR, 'media'))) {
      console.log('      skip: ./assets/ exists, so this is not a fresh machine (the demo would use it)');
      return this.skip();
    }
    this.timeout(900_000);
    // The download hosts, played by a local server holding the tested copies at the pinned URLs' paths.
    const files: Record<string, Buffer> = {};
    for (const s of needed) files[new URL(s.url!).pathname] = readFileSync(join(assets, s.kind, s.name));
    const host = await standIn(files);
    const fresh = mkdtempSync(join(tmpdir(), 'demo-fresh-'));
    try {
      const r = await runDemo(['--exit', '--db', `sqlite:${join(fresh, 'demo.db')}`, '--assets-origin', host.origin], { CI: 'true', STORE_ASSETS_DIR: fresh }, 840_000);
      expect(host.hits.sort(), r.stderr.slice(-2000)).to.deep.equal(Object.keys(files).sort());
      for (const s of needed) expect(await sha256File(join(fresh, s.kind, s.name)), s.name).to.equal(s.sha256);
      expect(r.stdout).to.match(/assets: 5 downloaded, 0 already there/).and.match(/model yolox_nano\.onnx/);
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const done = lines.find((l) => l.event === 'demo_metrics') as { metrics: Record<string, number>; funnel: Record<string, number> } | undefined;
      expect(done, `no demo_metrics line; exit ${r.code}\n${r.stderr.slice(-3000)}`).to.be.an('object');
      const m = done!.metrics;
      console.log(`      demo: ${m.unique_visitors} visitors, conversion ${m.conversion_rate}, ${m.purchased} bought; funnel ${JSON.stringify(done!.funnel)}`);
      expect(m.unique_visitors).to.be.greaterThan(0);
      expect(m.conversion_rate).to.be.at.least(0).and.at.most(1);
      expect(done!.funnel.entry).to.be.greaterThan(0);
      expect(r.stdout).to.match(/^Metrics$/m).and.match(/^Funnel$/m).and.match(/dashboard was at http:\/\/localhost:\d+\//);
      expect(r.code, r.stderr.slice(-2000)).to.equal(0);
    } finally {
      host.server.close();
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
