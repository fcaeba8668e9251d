/**
 * npm run bench:query [-- --events 1000000 --days 30 --calls 50 --no-pg]
 *
 * Loads a month of one store (default 1,000,000 events, ~20,000 visitors, 6,000 POS rows) into SQLite (a file)
 * and PostgreSQL through the hub's own write path, then times each analytics endpoint over HTTP (p50/p95 of
 * `--calls` calls) for a one-day and a 30-day window. Targets: p95 < 100 ms (1 day) and < 1 s (30 days)
 * on SQLite. In the same run it measures a ceiling: the cheapest scan any answer needs (COUNT DISTINCT visitors
 * over the window, straight SQL, no HTTP), and prints each p95 as a ratio of it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { silentLogger } from '../common/logger.js';
import { buildHub } from '../hub/app.js';
import { loadHubConfig } from '../hub/config.js';
import { openDb, type Db } from '../hub/store/db.js';
import type { EventRow } from '../hub/store/event-row.js';
import { openEventStore } from '../hub/store/open-event-store.js';
import { createPosRepository } from '../hub/store/pos-repository.js';
import { catchUpRollups, FOLD_EVERY_EVENTS } from '../hub/store/rollup-fold.js';
import type { PosTransaction } from '../hub/analytics/types.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '30' },
    calls: { type: 'string', default: '50' },
    'no-pg': { type: 'boolean', default: false },
    /** Keep the SQLite database here and reuse it on the next run (skips the load when the file exists). */
    'sqlite-file': { type: 'string' },
    'pg-url': { type: 'string', default: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const TARGET_EVENTS = Number(args.events);
const DAYS = Number(args.days);
const CALLS = Number(args.calls);
const STORE = 'STORE_BLR_002';
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const DAY0 = Date.parse('2026-02-01T00:00:00+05:30');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A month of one store: ~667 visitors a day, ~50 events each (zone stays with 30 s dwell repeats), staff, POS. */
function month(): { rows: EventRow[]; pos: PosTransaction[] } {
  const rand = rng(42);
  const between = (a: number, b: number) => a + Math.floor(rand() * (b - a));
  const rows: EventRow[] = [];
  const pos: PosTransaction[] = [];
  const perDay = Math.round(20_000 / DAYS);
  const cam: Record<string, string> = { Z_COUNTER: 'CAM_ENTRY_01', Z_CERAMICS: 'CAM_AISLE_01', Z_DISPLAY: 'CAM_FLOOR_01', Z_STOCKROOM: 'CAM_FLOOR_01' };
  const push = (v: string, type: string, ts: number, zone: string | null = null, dwell = 0, depth: number | null = null, staff = false, extra: Record<string, unknown> = {}) =>
    rows.push({
      event_id: randomUUID(), store_id: STORE, camera_id: zone ? cam[zone]! : 'CAM_ENTRY_01', visitor_id: v, event_type: type, ts,
      zone_id: zone, dwell_ms: dwell, is_staff: staff, confidence: 0.9, queue_depth: depth, session_seq: 1,
      metadata: JSON.stringify({ queue_depth: depth, sku_zone: null, session_seq: 1, ...extra }), received_at: ts,
    });
  const dwellEvery = 30 * S;
  for (let d = 0; d < DAYS; d++) {
    const open = DAY0 + d * 24 * H + 10 * H;
    for (let i = 0; i < perDay; i++) {
      const v = `V${d}_${i}`;
      let t = open + Math.floor((i / perDay) * 10 * H);
      // A third of visitors come in pairs (metadata.group_id): the buying-unit read has groups to join.
      push(v, 'ENTRY', t, null, 0, null, false, i % 6 < 2 ? { group_id: `G${d}_${Math.floor(i / 6)}` } : {});
      for (const zone of ['Z_CERAMICS', 'Z_DISPLAY', 'Z_CERAMICS']) {
        if (rand() < 0.2) continue;
        const len = between(1 * M, 16 * M);
        push(v, 'ZONE_ENTER', t, zone);
        for (let k = 10 * S; k < len; k += dwellEvery) push(v, 'ZONE_DWELL', t + k, zone, k);
        push(v, 'ZONE_EXIT', t + len, zone, len);
        t += len + between(5 * S, 30 * S);
      }
      if (rand() < 0.6) {
        const depth = between(0, 7);
        push(v, 'ZONE_ENTER', t, 'Z_COUNTER');
        push(v, 'BILLING_QUEUE_JOIN', t + 5 * S, 'Z_COUNTER', 0, depth);
        push(v, 'ZONE_DWELL', t + 10 * S, 'Z_COUNTER', 10 * S, depth);
        const abandon = rand() < 0.15;
        if (abandon) push(v, 'BILLING_QUEUE_ABANDON', t + 60 * S, 'Z_COUNTER', 0, depth);
        else if (pos.length < 6000 && rand() < 0.6) pos.push({ transaction_id: `TX_${d}_${i}`, store_id: STORE, ts: t + between(20 * S, 4 * M), basket_value_inr: between(100, 5000) });
        // Served people leave the billing zone with the till wait the agent measured (metadata.queue_wait_ms).
        push(v, 'ZONE_EXIT', t + 90 * S, 'Z_COUNTER', 90 * S, null, false, abandon ? {} : { queue_wait_ms: between(5 * S, 80 * S) });
        t += 90 * S;
      }
      push(v, 'EXIT', t + between(10 * S, 60 * S));
    }
    for (const s of ['STAFF_1', 'STAFF_2', 'STAFF_3']) {
      push(`${s}_${d}`, 'ENTRY', open - 30 * M, null, 0, null, true);
      for (let k = 0; k < 20; k++) push(`${s}_${d}`, 'ZONE_DWELL', open + k * 30 * M, 'Z_STOCKROOM', 10 * S, null, true);
      push(`${s}_${d}`, 'EXIT', open + 11 * H, null, 0, null, true);
    }
  }
  return { rows: rows.slice(0, TARGET_EVENTS), pos };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const ms = (x: number) => x.toFixed(1).padStart(7);

async function load(db: Db, data: ReturnType<typeof month>): Promise<{ load: number; fold: number; pending: number }> {
  const t0 = performance.now();
  // In-process on the bench's connection, through the store's write path (which folds every FOLD_EVERY_EVENTS).
  const store = await openEventStore({ ...db, sqliteFile: null }, { logger: silentLogger() });
  // The newest FOLD_EVERY_EVENTS - 1 events are written last and stay past the rollups' watermark: the most a read
  // ever adds from raw rows (the worst case for the reads below; they are the last day's events).
  const head = Math.max(0, data.rows.length - (FOLD_EVERY_EVENTS - 1));
  for (let i = 0; i < head; i += 10_000) await store.insert(data.rows.slice(i, Math.min(i + 10_000, head)));
  await createPosRepository(db).insert(data.pos);
  const loaded = performance.now();
  // A backlog fold (what an upgraded database folds once at start): the events the writes left below the threshold.
  await catchUpRollups(db);
  const folded = performance.now();
  for (let i = head; i < data.rows.length; i += 10_000) await store.insert(data.rows.slice(i, i + 10_000));
  const [r] = await db.knex('rollup_state').select('last_event_row');
  const [top] = await db.knex('events').max({ m: 'id' });
  await db.knex.raw('ANALYZE');
  return { load: (loaded - t0 + performance.now() - folded) / 1000, fold: (folded - loaded) / 1000, pending: Number(top!.m) - Number(r!.last_event_row) };
}

async function ceiling(db: Db, from: number, to: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await db.knex.raw('SELECT COUNT(DISTINCT visitor_id) AS n FROM events WHERE store_id = ? AND ts >= ? AND ts < ?', [STORE, from, to]);
    times.push(performance.now() - t0);
  }
  return pct(times, 50);
}

async function benchDb(name: string, url: string, schema: string | undefined, data: ReturnType<typeof month>, reuse = false): Promise<void> {
  const db = await openDb(url, schema);
  const t = reuse ? { load: 0, fold: 0, pending: 0 } : await load(db, data);
  const rollupRows = Number((await db.knex('visitor_rollups').count({ n: '*' }))[0]!.n);
  process.stdout.write(
    `\n${name}: loaded ${data.rows.length} events, ${data.pos.length} POS rows in ${t.load.toFixed(1)} s (hub write path); ` +
      `backlog fold ${t.fold.toFixed(1)} s → ${rollupRows} rollup rows; ${t.pending} events past the watermark, read from raw rows\n`,
  );
  const config = loadHubConfig({ HUB_HTTP_PORT: '0', DATABASE_URL: url, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' });
  const hub = await buildHub(config, { logger: silentLogger(), db });
  const server = createServer(hub.app.callback());
  // Node closes idle keep-alive sockets after 5 s; when the ceiling query takes longer than that on a busy machine,
  // fetch reuses a socket the server is closing ("fetch failed"). Benchmark calls are never idle that long by design.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lastDay = DAY0 + (DAYS - 1) * 24 * H;
  const windows = [
    { label: '1 day', from: lastDay, to: lastDay + 24 * H, target: 100 },
    { label: `${DAYS} days`, from: DAY0, to: DAY0 + DAYS * 24 * H, target: 1000 },
  ];
  process.stdout.write(`endpoint               window    p50 ms  p95 ms  target  p95/target  p95/ceiling\n`);
  for (const w of windows) {
    const ceil = await ceiling(db, w.from, w.to);
    const q = `from=${new Date(w.from).toISOString()}&to=${new Date(w.to).toISOString()}`;
    for (const ep of ['metrics', 'funnel', 'heatmap', 'anomalies', 'metrics/hourly', 'report.csv']) {
      const times: number[] = [];
      // Two untimed calls first: the first touches cold pages and cold code, which no steady-state reader sees.
      for (let i = 0; i < 2; i++) await (await fetch(`${base}/stores/${STORE}/${ep}?${q}`)).text();
      for (let i = 0; i < CALLS; i++) {
        const t0 = performance.now();
        const res = await fetch(`${base}/stores/${STORE}/${ep}?${q}`);
        await res.text();
        if (!res.ok) throw new Error(`${ep}: HTTP ${res.status}`);
        times.push(performance.now() - t0);
      }
      const p95 = pct(times, 95);
      process.stdout.write(
        `${ep.padEnd(22)} ${w.label.padEnd(8)} ${ms(pct(times, 50))} ${ms(p95)} ${String(w.target).padStart(7)}  ${(p95 / w.target).toFixed(2).padStart(10)}  ${(p95 / ceil).toFixed(1).padStart(11)}\n`,
      );
    }
    process.stdout.write(`  (ceiling: COUNT DISTINCT visitors over the ${w.label} window, p50 ${ceil.toFixed(1)} ms)\n`);
  }
  const m = await (await fetch(`${base}/stores/${STORE}/metrics?from=${new Date(DAY0).toISOString()}&to=${new Date(DAY0 + DAYS * 24 * H).toISOString()}`)).json();
  process.stdout.write(`  30-day metrics: ${JSON.stringify(m)}\n`);
  server.close();
  await hub.close();
  await db.close();
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const data = month();
  process.stdout.write(`generated ${data.rows.length} events, ${new Set(data.rows.map((r) => r.visitor_id)).size} visitor ids, ${data.pos.length} POS rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-query-'));
  try {
    const file = args['sqlite-file'] ?? join(dir, 'bench.db');
    await benchDb('SQLite', `sqlite:${file}`, undefined, data, !!args['sqlite-file'] && existsSync(file));
    if (!args['no-pg']) {
      const schema = `bench_${Date.now().toString(36)}`;
      try {
        await benchDb('PostgreSQL', args['pg-url']!, schema, data);
      } finally {
        const k = knexFactory({ client: 'pg', connection: args['pg-url'] });
        await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
        await k.destroy();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:query: ${(err as Error).stack}\n`);
  process.exit(1);
});
