/**
 * npm run demo [-- --realtime] [--exit] [--start-time ISO] [--http-port N] [--mqtt-port N] [--db URL] [--keep-db]
 * The whole system on one machine, no Docker: the hub (embedded MQTT broker, SQLite file), one agent per camera of
 * the sample store on the real clips, the POS file replayed onto the clip times; when the agents finish it prints
 * the metrics and the funnel and leaves the dashboard running (Ctrl-C stops everything). `--exit` or CI=true exits
 * after printing. Missing model or clips: it downloads the default model (YOLOX-nano) and the clips, verified,
 * into $STORE_ASSETS_DIR or ./assets (`--no-fetch`: it says where it looked and how to get them, and starts nothing).
 * Exit codes: 0 done, 1 a component failed, 2 bad usage or missing assets.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { AppError, isAppError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { fetchAssets } from './assets.js';
import { preflight, type Preflight } from './demo/cameras.js';
import { DEFAULT_DB, POS_CSV_ORIGIN, parseDemoOptions, type DemoOptions } from './demo/options.js';
import { choosePort } from './demo/ports.js';
import { funnelTable, getJson, metricsTable, settledMetrics } from './demo/report.js';
import { GET_ASSETS_HINT, REPO_ASSETS_DIR } from './lib/assets.js';
import { runTs, type Proc } from './lib/child.js';

const ROOT = resolve(import.meta.dirname, '..');
const out = (s: string) => process.stdout.write(`${s}\n`);

/** Runs a TypeScript CLI to completion, echoing nothing; resolves with its exit code and output. */
function runToEnd(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

async function stopAll(procs: Proc[], graceMs = 10_000): Promise<void> {
  const alive = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (const p of alive) p.child.kill('SIGTERM');
  const timer = setTimeout(() => alive.forEach((p) => p.child.kill('SIGKILL')), graceMs);
  await Promise.all(alive.map((p) => p.exited));
  clearTimeout(timer);
}

/** Finds the model and clips; when something is missing (and fetching is on) downloads them first. */
async function ensureAssets(o: DemoOptions, log: Logger): Promise<Preflight> {
  try {
    return preflight(process.env);
  } catch (err) {
    if (!o.fetch || !isAppError(err) || err.code !== 'INPUT_UNREADABLE') throw err;
  }
  const dir = process.env.STORE_ASSETS_DIR ? resolve(process.env.STORE_ASSETS_DIR) : REPO_ASSETS_DIR;
  out(`assets missing: downloading the default model and the sample clips into ${dir} (verified; --no-fetch to skip)…`);
  try {
    const r = await fetchAssets({ dir, ...(o.assetsOrigin ? { origin: o.assetsOrigin } : {}), env: process.env, logger: log });
    out(`assets: ${r.downloaded.length} downloaded, ${r.present.length} already there`);
  } catch (err) {
    throw new AppError('INPUT_UNREADABLE', `the demo cannot start: ${(err as Error).message}\nTo fix: ${GET_ASSETS_HINT}.`, undefined, { cause: err });
  }
  return preflight(process.env);
}

async function main(argv: string[]): Promise<number> {
  const o = parseDemoOptions(argv, process.env, Date.now());
  const log = createLogger({ name: 'demo', level: process.env.LOG_LEVEL ?? 'info' });
  const pre = await ensureAssets(o, log);
  // The agents look the model up through STORE_ASSETS_DIR; point it at the folder the model was found in.
  const assetsDir = process.env.STORE_ASSETS_DIR ?? dirname(dirname(pre.model));
  const startIso = new Date(o.startTimeMs).toISOString();
  const stores = [...new Set(pre.cameras.map((c) => c.storeId))];
  if (stores.length !== 1) throw new AppError('INPUT_UNREADABLE', `the sample cameras must belong to one store (found ${stores.join(', ')})`);
  const store = stores[0]!;
  if (o.databaseUrl === DEFAULT_DB) {
    mkdirSync(resolve(ROOT, 'data'), { recursive: true });
    if (!o.keepDb) for (const sfx of ['', '-wal', '-shm']) rmSync(resolve(ROOT, `data/demo.db${sfx}`), { force: true });
  }
  const [httpPort, mqttPort] = [await choosePort(o.httpPort, 8000, o.ci), await choosePort(o.mqttPort, 1883, o.ci)];
  const spoolRoot = mkdtempSync(resolve(tmpdir(), 'demo-spool-'));
  const procs: Proc[] = [];
  let stopping: Promise<void> | null = null;
  const shutdown = (signal: string) => {
    stopping ??= (async () => {
      out(`\n${signal}: stopping the agents and the hub…`);
      await stopAll([...procs].reverse());
      rmSync(spoolRoot, { recursive: true, force: true });
      out('stopped.');
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    out(`Store Intelligence demo — store ${store}, clips from ${assetsDir}, model ${basename(pre.model)}, start ${startIso}${o.realtime ? ', realtime' : ''}`);
    const hub = runTs('hub/main.ts', [], { HUB_HTTP_PORT: String(httpPort), HUB_MQTT_PORT: String(mqttPort), DATABASE_URL: o.databaseUrl, STORE_ASSETS_DIR: assetsDir });
    procs.push(hub);
    const listening = await hub.waitFor((l) => l.event === 'hub_listening', 60_000);
    const hubUrl = `http://127.0.0.1:${listening.http_port}`;
    const mqttUrl = `mqtt://127.0.0.1:${listening.mqtt_port}`;
    out(`hub: ${hubUrl} (MQTT ${mqttUrl}, ${o.databaseUrl})`);
    log.info({ event: 'demo_hub_up', http_port: listening.http_port, mqtt_port: listening.mqtt_port });

    const started = Date.now();
    // One onnxruntime pool per agent: split the cores rather than oversubscribe them (3 agents × 2 threads on
    // 2 cores ran ~4× slower than the clip's single-agent time here).
    const threads = Math.max(1, Math.floor(availableParallelism() / pre.cameras.length));
    const agents = pre.cameras.map((c) => {
      const args = ['--camera', c.config, '--source', c.clipPath, '--model', pre.model, '--threads', String(threads), '--mqtt', mqttUrl, '--start-time', startIso, ...(o.realtime ? ['--realtime'] : [])];
      const p = runTs('agent/main.ts', args, { STORE_ASSETS_DIR: assetsDir, AGENT_SPOOL_DIR: resolve(spoolRoot, basename(c.config, '.json')) });
      procs.push(p);
      out(`agent: ${c.cameraId} (${c.config}) ← ${basename(c.clipPath)}`);
      return { ...c, proc: p };
    });

    // POS replay: the file's clip-aligned times moved onto this run's start (pos:import --shift-from/--shift-to).
    const pos = await runToEnd('hub/cli/pos-import.ts', ['data/pos_transactions.csv', '--hub', hubUrl, '--shift-from', POS_CSV_ORIGIN, '--shift-to', startIso]);
    if (pos.code !== 0) throw new AppError('INTERNAL', `POS replay failed (exit ${pos.code}): ${(pos.stderr || pos.stdout).trim().slice(0, 600)}`);
    const posSummary = JSON.parse(pos.stdout) as { inserted: number; duplicates: number };
    out(`pos: ${posSummary.inserted} transactions replayed onto ${startIso} (${posSummary.duplicates} already there)`);

    for (const a of agents) {
      const { code, signal } = await a.proc.exited;
      if (stopping) return await new Promise<number>(() => undefined); // Ctrl-C: shutdown() exits the process
      if (code !== 0) {
        throw new AppError('INTERNAL', `agent ${a.config} failed (exit ${code ?? signal}):\n${a.proc.stderr.slice(-15).join('\n')}`);
      }
      out(`agent: ${a.cameraId} done after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }

    const from = new Date(o.startTimeMs - 60_000).toISOString();
    const to = new Date(o.startTimeMs + 10 * 60_000).toISOString();
    const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const metrics = await settledMetrics(hubUrl, store, query);
    const funnel = await getJson(`${hubUrl}/stores/${store}/funnel?${query}`);
    out(`\n${store}, ${from} → ${to}`);
    out(metricsTable(metrics));
    out(funnelTable(funnel));
    log.info({ event: 'demo_metrics', store_id: store, metrics, funnel }, 'metrics from the processed clips');

    const dashboard = `http://localhost:${listening.http_port}/`;
    if (o.exit) {
      out(`\ndashboard was at ${dashboard} (--exit: stopping)`);
      await stopAll(procs);
      return 0;
    }
    out(`\nDashboard: ${dashboard}   (Ctrl-C to stop)`);
    await hub.exited;
    if (stopping) return await new Promise<number>(() => undefined); // Ctrl-C: shutdown() exits the process
    throw new AppError('INTERNAL', `the hub stopped unexpectedly:\n${hub.stderr.slice(-15).join('\n')}`);
  } catch (err) {
    if (stopping) return await new Promise<number>(() => undefined); // failures caused by Ctrl-C are not errors
    await stopAll(procs);
    throw err;
  } finally {
    if (!stopping) rmSync(spoolRoot, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const usage = isAppError(err) && (err.code === 'BAD_REQUEST' || err.code === 'INPUT_UNREADABLE');
    process.stderr.write(`demo: ${isAppError(err) ? err.message : (err as Error).stack}\n`);
    process.exit(usage ? 2 : 1);
  },
);
