/**
 * npm run bench:mqtt [-- --events 100000 --agents 4 --rate 2500 --seconds 5 --no-mosquitto --mosquitto mqtt://127.0.0.1:1883]
 * End-to-end events/s from N publishing agents (the real publisher: batching, disk spool, QoS 1) to rows in
 * SQLite through a hub process: (1) its embedded aedes broker, (2) an external Mosquitto. Then the latency from
 * publish to row (p50, p95) at a paced load of agents × rate events/s. In the same run it measures the ceiling:
 * the same batches written through the hub's own ingest path in-process (no MQTT), and prints the ratio.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { storeEventSchema, type StoreEvent } from '../common/event.js';
import { silentLogger } from '../common/logger.js';
import { createPublisher } from '../agent/publisher/publisher.js';
import { createEventWriter } from '../hub/ingest/event-writer.js';
import { createIngestService } from '../hub/ingest/service.js';
import { openDb } from '../hub/store/db.js';
import { openEventStore } from '../hub/store/open-event-store.js';
import { runTs } from '../scripts/lib/child.js';
import { isFolded, storedCount, storedLatencies } from '../scripts/lib/sqlite-file.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    agents: { type: 'string', default: '4' },
    rate: { type: 'string', default: '2500' },
    seconds: { type: 'string', default: '5' },
    mosquitto: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    'no-mosquitto': { type: 'boolean', default: false },
  },
});
const N = Number(args.events);
const AGENTS = Number(args.agents);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'bench-mqtt-'));
const tag = randomBytes(4).toString('hex');

function makeEvents(n: number, store: string, camera: string, at: () => number = Date.now): StoreEvent[] {
  return Array.from({ length: n }, (_, i) =>
    storeEventSchema.parse({
      event_id: randomUUID(), store_id: store, camera_id: camera, visitor_id: `VIS_${i % 997}`, event_type: 'ZONE_DWELL',
      // The event's timestamp is its publish time: received_at − ts is the publish-to-row latency.
      timestamp: new Date(at()).toISOString(), zone_id: 'Z_AISLE', dwell_ms: 12_000, is_staff: false, confidence: 0.9,
      metadata: { queue_depth: null, sku_zone: null, session_seq: i + 1 },
    }),
  );
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function startHub(name: string, env: Record<string, string>) {
  const db = join(dir, `${name}.db`);
  const proc = runTs('hub/main.ts', [], { HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', HUB_MQTT_PORT: '0', HUB_MQTT_HOST: '127.0.0.1', DATABASE_URL: `sqlite:${db}`, ...env });
  const l = await proc.waitFor((x) => x.event === 'hub_listening', 60_000);
  return { proc, db, mqttPort: l.mqtt_port as number | null };
}

async function waitRows(file: string, n: number): Promise<void> {
  for (let i = 0; i < 6000 && storedCount(file) < n; i++) await sleep(50);
}

/**
 * Phase 1: every agent publishes its share at once; time until every row is in the database (acknowledged:
 * durable and de-duplicated), and until it is also folded into events' indexes and the rollups (sustainable).
 */
async function throughput(url: string, db: string, label: string): Promise<{ eps: number; foldedEps: number }> {
  const per = Math.floor(N / AGENTS);
  const store = `BENCH_${label}_${tag}`;
  const pubs = Array.from({ length: AGENTS }, (_, a) =>
    createPublisher({ mqttUrl: url, storeId: store, cameraId: `CAM_${a}`, spoolDir: join(dir, `${label}-t${a}`), logger: silentLogger() }));
  const batches = pubs.map((_, a) => makeEvents(per, store, `CAM_${a}`));
  await Promise.all(pubs.map((p) => new Promise<void>((r) => (p.stats().connected ? r() : setTimeout(r, 300)))));
  const t0 = performance.now();
  pubs.forEach((p, a) => p.publish(batches[a]!));
  await Promise.all(pubs.map((p) => p.drain()));
  await waitRows(db, per * AGENTS);
  const s = (performance.now() - t0) / 1000;
  for (let i = 0; i < 6000 && !isFolded(db); i++) await sleep(10);
  const foldedS = (performance.now() - t0) / 1000;
  for (const p of pubs) await p.close();
  return { eps: (per * AGENTS) / s, foldedEps: (per * AGENTS) / foldedS };
}

/** Phase 2: paced load (agents × rate events/s, published every 20 ms); latency from publish to row. */
async function latency(url: string, db: string, label: string): Promise<{ p50: number; p95: number; n: number }> {
  const before = storedCount(db);
  const store = `LAT_${label}_${tag}`;
  const rate = Number(args.rate);
  const pubs = Array.from({ length: AGENTS }, (_, a) =>
    createPublisher({ mqttUrl: url, storeId: store, cameraId: `CAM_${a}`, spoolDir: join(dir, `${label}-l${a}`), logger: silentLogger() }));
  await sleep(300);
  const ticks = (Number(args.seconds) * 1000) / 20;
  const perTick = Math.max(1, Math.round((rate * 20) / 1000));
  for (let t = 0; t < ticks; t++) {
    pubs.forEach((p, a) => p.publish(makeEvents(perTick, store, `CAM_${a}`)));
    await sleep(20);
  }
  await Promise.all(pubs.map((p) => p.drain()));
  const total = ticks * perTick * AGENTS;
  await waitRows(db, before + total);
  for (const p of pubs) await p.close();
  const lat = storedLatencies(db, store);
  return { p50: pct(lat, 50), p95: pct(lat, 95), n: lat.length };
}

/** Ceiling: the same batches through the hub's own ingest path in-process, AGENTS concurrent writers, no MQTT, folded. */
async function ceiling(): Promise<number> {
  const db = await openDb(`sqlite:${join(dir, 'ceiling.db')}`);
  const store = await openEventStore(db, { logger: silentLogger() });
  const ingest = createIngestService({ writer: createEventWriter(store), logger: silentLogger() });
  const per = Math.floor(N / AGENTS);
  const streams = Array.from({ length: AGENTS }, (_, a) => makeEvents(per, 'CEIL', `CAM_${a}`).map((e) => ({ ...e })));
  const t0 = performance.now();
  await Promise.all(streams.map(async (events) => {
    for (let i = 0; i < events.length; i += 500) await ingest.ingest(events.slice(i, i + 500), { kind: 'mqtt' });
  }));
  await store.close();
  const eps = (per * AGENTS) / ((performance.now() - t0) / 1000);
  await db.close();
  return eps;
}

async function run(label: string, env: Record<string, string>, url: (port: number | null) => string) {
  const hub = await startHub(label, env);
  const tp = await throughput(url(hub.mqttPort), hub.db, label);
  const lat = await latency(url(hub.mqttPort), hub.db, label);
  hub.proc.child.kill('SIGTERM');
  await hub.proc.exited;
  return { ...tp, ...lat };
}

async function main(): Promise<void> {
  console.log(`bench:mqtt  ${N} events from ${AGENTS} agents (batch 500, QoS 1, disk spool); paced latency run ${AGENTS} × ${args.rate} ev/s for ${args.seconds} s`);
  const ceil = await ceiling();
  console.log(`ceiling    hub ingest path in-process, no MQTT, folded: ${Math.round(ceil)} events/s`);
  const results: Record<string, { eps: number; foldedEps: number; p50: number; p95: number; n: number }> = {};
  results.embedded = await run('embedded', {}, (port) => `mqtt://127.0.0.1:${port}`);
  let mosquittoUp = !args['no-mosquitto'];
  if (mosquittoUp) mosquittoUp = await mqtt.connectAsync(args.mosquitto, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 }).then((c) => (c.end(true), true), () => false);
  if (mosquittoUp) {
    const clientId = `bench-hub-${tag}`;
    results.mosquitto = await run('mosquitto', { MQTT_URL: args.mosquitto, MQTT_CLIENT_ID: clientId, MQTT_SHARED_GROUP: `bench_${tag}` }, () => args.mosquitto);
    await mqtt.connectAsync(args.mosquitto, { clientId, clean: true, protocolVersion: 4 }).then((c) => c.endAsync());
  } else console.log(`mosquitto  skipped: no broker at ${args.mosquitto}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(10)} ${Math.round(r.eps)} events/s acknowledged, ${Math.round(r.foldedEps)} folded too ` +
        `(${(r.foldedEps / ceil).toFixed(2)} of ceiling; target ≥ 20000 folded: ${r.foldedEps >= 20_000 ? 'met' : 'MISSED'})` +
        `   publish→row p50 ${r.p50} ms, p95 ${r.p95} ms over ${r.n} events (target p95 < 1000: ${r.p95 < 1000 ? 'met' : 'MISSED'})`,
    );
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
