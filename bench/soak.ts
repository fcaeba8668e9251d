/**
 * npm run bench:soak [-- --minutes 10 --stores 20 --cameras 4 --sse 10 --readers 4]
 * A hub process (embedded broker, SQLite file) under the simulator at full speed through MQTT, plus dashboard SSE
 * clients and HTTP readers, for --minutes. Prints events/s, p95 read latency (target < 1 s: reads never wait for a
 * writer, hub/store/event-write.ts), the hub's RSS at start and end (and the peak), and the count check: events
 * acknowledged by the broker = rows stored.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../common/logger.js';
import { storedCount } from '../scripts/lib/sqlite-file.js';
import { runTs } from '../scripts/lib/child.js';
import { layoutOf, parseSimConfig, storePlan } from '../scripts/simulate/config.js';
import { simulate, type SimItem } from '../scripts/simulate/generator.js';
import { publishItems } from '../scripts/simulate/publish.js';

const { values: a } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    stores: { type: 'string', default: '20' },
    cameras: { type: 'string', default: '4' },
    sse: { type: 'string', default: '10' },
    readers: { type: 'string', default: '4' },
  },
});
const minutes = Number(a.minutes);
const deadline = Date.now() + minutes * 60_000;

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const signed = (kb: number) => `${kb >= 0 ? '+' : '−'}${Math.abs(kb / 1024).toFixed(0)}`;
const pct = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

/** The simulator's items, cut off at the deadline (a day of 20 stores is more than ten minutes can publish). */
function* untilDeadline(items: Iterable<SimItem>): Generator<SimItem> {
  let n = 0;
  for (const item of items) {
    if (++n % 1000 === 0 && Date.now() > deadline) return;
    yield item;
  }
}

async function sseClient(url: string, counter: { messages: number }, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    try {
      const res = await fetch(url, { signal: stop });
      if (!res.ok) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        counter.messages += (new TextDecoder().decode(value).match(/^data:/gm) ?? []).length;
      }
    } catch {
      if (!stop.aborted) await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function reader(base: string, stores: string[], latencies: number[], stop: AbortSignal): Promise<void> {
  const paths = ['metrics', 'funnel', 'heatmap', 'anomalies'];
  for (let i = 0; !stop.aborted; i++) {
    const t = performance.now();
    const res = await fetch(`${base}/stores/${stores[i % stores.length]}/${paths[i % paths.length]}`).catch(() => null);
    await res?.text();
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const dbFile = join(dir, 'soak.db');
  const hub = runTs('hub/main.ts', [], { HUB_HTTP_PORT: '0', HUB_MQTT_PORT: '0', HUB_HOST: '127.0.0.1', DATABASE_URL: `sqlite:${dbFile}`, LOG_LEVEL: 'info' });
  try {
    const listening = await hub.waitFor((l) => l.event === 'hub_listening');
    const base = `http://127.0.0.1:${listening.http_port}`;
    const nStores = Number(a.stores);
    const stores = Array.from({ length: nStores }, (_, i) => `STORE_SIM_${String(i + 1).padStart(3, '0')}`);
    const stop = new AbortController();
    const sse = { messages: 0 };
    const latencies: number[] = [];
    const rss = { start: rssKb(hub.child.pid!), peak: 0, mid: 0, end: 0 };
    // Growth per half of the run: a plateau (second half ≪ first) is caches warming up; steady growth is a leak.
    // The middle is taken from samples at the end, since the run may end before its deadline (the day runs out).
    const samples: [number, number][] = [];
    const sampler = setInterval(() => {
      const now = rssKb(hub.child.pid!);
      rss.peak = Math.max(rss.peak, now);
      samples.push([Date.now(), now]);
    }, 1000);
    const clients = [
      ...Array.from({ length: Number(a.sse) }, (_, i) => sseClient(`${base}/stores/${stores[i % nStores]}/stream`, sse, stop.signal)),
      ...Array.from({ length: Number(a.readers) }, () => reader(base, stores, latencies, stop.signal)),
    ];
    // A busy simulated day (1,000 arrivals an hour per store) ending now: enough events for ten minutes at the hub's
    // full rate; the run stops at its deadline or when the day runs out, whichever comes first.
    const startMs = Date.now() - 24 * 3_600_000;
    const simConfig = parseSimConfig({ stores: nStores, cameras: Number(a.cameras), hours: 24, seed: 7, startMs, visitorsPerHour: 1000 });
    for (let i = 0; i < nStores; i++) {
      const layout = layoutOf(storePlan(simConfig, i));
      const res = await fetch(`${base}/stores/${layout.store_id}/layout`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(layout) });
      if (!res.ok) throw new Error(`PUT layout ${layout.store_id}: ${res.status} ${await res.text()}`);
    }
    const t0 = performance.now();
    const items = untilDeadline(simulate(simConfig));
    const report = await publishItems(items, { mqttUrl: `mqtt://127.0.0.1:${listening.mqtt_port}`, hubUrl: base, speed: 0, startMs, batchMax: 500, maxInFlight: 8, logger: silentLogger() });
    const publishS = (performance.now() - t0) / 1000;
    stop.abort();
    clearInterval(sampler);
    const midAt = (samples[0]?.[0] ?? 0) + ((samples.at(-1)?.[0] ?? 0) - (samples[0]?.[0] ?? 0)) / 2;
    rss.mid = samples.find(([t]) => t >= midAt)?.[1] ?? rss.start;
    await Promise.allSettled(clients);
    rss.end = rssKb(hub.child.pid!);

    const stored = storedCount(dbFile);
    const lines: [string, string][] = [
      ['duration', `${publishS.toFixed(0)} s (${nStores} stores × ${a.cameras} cameras, ${a.sse} SSE clients, ${a.readers} readers)`],
      ['events published (PUBACKed)', report.events.toLocaleString()],
      ['events stored', `${stored.toLocaleString()} ${stored === report.events ? '(count check OK)' : '(COUNT MISMATCH)'}`],
      ['throughput', `${Math.round(report.events / publishS).toLocaleString()} events/s`],
      ['HTTP reads', `${latencies.length} (p50 ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms)`],
      ['read p95 < 1 s under ingest', pct(latencies, 0.95) < 1000 ? 'met' : 'MISSED'],
      ['SSE messages received', sse.messages.toLocaleString()],
      ['hub RSS start / mid / end / peak', `${(rss.start / 1024).toFixed(0)} / ${(rss.mid / 1024).toFixed(0)} / ${(rss.end / 1024).toFixed(0)} / ${(rss.peak / 1024).toFixed(0)} MB`],
      ['RSS growth 1st half / 2nd half', `${signed(rss.mid - rss.start)} MB / ${signed(rss.end - rss.mid)} MB`],
    ];
    process.stdout.write(`\nbench:soak — ${minutes} min\n`);
    for (const [k, v] of lines) process.stdout.write(`  ${k.padEnd(30)} ${v}\n`);
    if (stored !== report.events) process.exitCode = 1;
  } finally {
    hub.child.kill('SIGTERM');
    await hub.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:soak failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
