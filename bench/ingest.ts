/**
 * npm run bench:ingest [-- --events 200000 --batch 500 --concurrency 4 --pg]
 * Posts valid events (random v4 ids, as real clients send) to a hub process on a SQLite file, prints events/s,
 * and in the same run measures the ceiling: the same rows appended into an index-free SQLite table with one
 * prepared multi-row INSERT per batch, no HTTP. Prints the ratio, the CPU per event of the hub's threads and of
 * the client (from /proc, so comparable under load), and the ratio that CPU allows on this machine's cores. With
 * --pg also runs the hub on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { runTs } from '../scripts/lib/child.js';
import { isFolded } from '../scripts/lib/sqlite-file.js';
import { cpuBetween, threadTimes, type ThreadCpu } from '../scripts/lib/thread-cpu.js';
import { toRow } from '../hub/store/event-row.js';
import { storeEventSchema, type StoreEvent } from '../common/event.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    pg: { type: 'boolean', default: false },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const N = Number(args.events);
const BATCH = Number(args.batch);
const CONC = Number(args.concurrency);

function makeEvents(n: number): StoreEvent[] {
  const types = ['ENTRY', 'ZONE_ENTER', 'ZONE_DWELL', 'ZONE_EXIT', 'BILLING_QUEUE_JOIN', 'EXIT'] as const;
  const t0 = Date.parse('2026-03-03T04:30:00Z');
  return Array.from({ length: n }, (_, i) => {
    const type = types[i % types.length]!;
    return storeEventSchema.parse({
      event_id: randomUUID(),
      store_id: `STORE_${i % 20}`,
      camera_id: `CAM_${i % 4}`,
      visitor_id: `VIS_${(Math.floor(i / 6) * 2654435761 % 0xffffff).toString(16).padStart(6, '0')}`,
      event_type: type,
      timestamp: new Date(t0 + i * 50).toISOString(),
      zone_id: type === 'ENTRY' || type === 'EXIT' ? null : 'Z_AISLE',
      dwell_ms: type === 'ZONE_DWELL' ? 12_000 : 0,
      is_staff: false,
      confidence: 0.9,
      metadata: { queue_depth: type === 'BILLING_QUEUE_JOIN' ? 2 : null, sku_zone: null, session_seq: (i % 6) + 1 },
    });
  });
}

/** Ceiling: append-only, index-free, prepared multi-row INSERT per batch, same pragmas, no HTTP, no validation. */
function ceiling(events: StoreEvent[], dir: string): { rowsPerS: number; cpuUsPerRow: number } {
  const db = new Database(join(dir, 'ceiling.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, event_id TEXT, store_id TEXT, camera_id TEXT, visitor_id TEXT,
    event_type TEXT, ts INTEGER, zone_id TEXT, dwell_ms INTEGER, is_staff INTEGER, confidence REAL, queue_depth INTEGER,
    session_seq INTEGER, metadata TEXT, received_at INTEGER)`);
  const cols = 14;
  const stmt = db.prepare(
    `INSERT INTO events (event_id, store_id, camera_id, visitor_id, event_type, ts, zone_id, dwell_ms, is_staff, confidence,
     queue_depth, session_seq, metadata, received_at) VALUES ${Array.from({ length: BATCH }, () => `(${Array(cols).fill('?').join(',')})`).join(',')}`,
  );
  const insert = db.transaction((rows: unknown[]) => stmt.run(rows));
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i + BATCH <= events.length; i += BATCH) {
    const now = Date.now();
    insert(events.slice(i, i + BATCH).flatMap((e) => Object.values({ ...toRow(e, now), is_staff: 0 })));
  }
  const s = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  db.close();
  const rows = Math.floor(events.length / BATCH) * BATCH;
  return { rowsPerS: rows / s, cpuUsPerRow: (cpu.user + cpu.system) / rows };
}

interface HubRun {
  /** Events/s until the last batch was acknowledged (durable, de-duplicated). */
  eps: number;
  /** Events/s until every event was also folded into events' indexes and the rollups (the sustainable rate). */
  foldedEps: number | null;
  p95: number;
  /** CPU seconds per thread of the hub (null where /proc is missing), of this process's client, and events stored. */
  threads: ThreadCpu | null;
  clientCpuS: number;
  stored: number;
}

async function throughHub(bodies: Buffer[], env: Record<string, string>, sqliteFile?: string): Promise<HubRun> {
  const hub = runTs('hub/main.ts', [], { HUB_HTTP_PORT: '0', HUB_MQTT_PORT: '0', HUB_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  // hub_listening is logged at info; with LOG_LEVEL=warn we poll /health instead.
  const port = await findPort(hub);
  const url = `http://127.0.0.1:${port}/events/ingest`;
  const latencies: number[] = [];
  let next = 0;
  let stored = 0;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  // From here on: the hub's start (loading and compiling its modules) is not ingest.
  const times0 = threadTimes(hub.child.pid!);
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const res = await post(url, body);
        const json = JSON.parse(res.body) as { inserted: number };
        if (res.status !== 200) throw new Error(`hub answered ${res.status}: ${res.body.slice(0, 300)} ${JSON.stringify(hub.lines.filter((l) => l.level === 'error').slice(0, 2))}`);
        latencies.push(performance.now() - t0);
        stored += json.inserted;
      }
    }),
  );
  const s = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuS = (cpu.user + cpu.system) / 1e6;
  let foldedS: number | null = null;
  if (sqliteFile) {
    while (!isFolded(sqliteFile)) await new Promise((r) => setTimeout(r, 10));
    foldedS = (performance.now() - t) / 1000;
  }
  const threads = cpuBetween(hub.child.pid!, times0, threadTimes(hub.child.pid!));
  hub.child.kill('SIGTERM');
  await hub.exited;
  latencies.sort((a, b) => a - b);
  if (stored !== bodies.length * BATCH) throw new Error(`stored ${stored} of ${bodies.length * BATCH}`);
  return { eps: stored / s, foldedEps: foldedS ? stored / foldedS : null, p95: latencies[Math.floor(latencies.length * 0.95)]!, threads, clientCpuS, stored };
}

/**
 * One POST over a kept-alive connection. node:http rather than fetch: the client shares the machine's two cores
 * with the hub, and fetch spent three to four times its CPU per event (docs/BENCHMARKS.md, bench:ingest).
 */
const agent = new Agent({ keepAlive: true, maxSockets: CONC });
function post(url: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The highest ratio the CPU spent allows against the ceiling's CPU per row (CPU times, unlike rates, hardly move
 * when other work shares the machine): the lower of the busiest other thread alone (on SQLite the one writer, which
 * no other core can help) and every core busy with the hub and its client. The measured ratio falls below it by
 * what the pipeline leaves idle.
 */
function cpuBound(run: HubRun, ceilingCpuUsPerRow: number): string {
  if (!run.threads) return 'n/a (no /proc)';
  const t = run.threads;
  const us = (s: number) => (s * 1e6) / run.stored;
  const allUs = us(t.main + t.busiest + t.rest + run.clientCpuS);
  const oneThread = ceilingCpuUsPerRow / us(t.busiest);
  const allCores = (availableParallelism() * ceilingCpuUsPerRow) / allUs;
  return `${Math.min(oneThread, allCores).toFixed(3)} (busiest thread alone ${oneThread.toFixed(3)}; ${availableParallelism()} cores, ${allUs.toFixed(1)} µs per event in all: ${allCores.toFixed(3)})`;
}

/** CPU per event (µs) by thread: the budget the hub spends, beside the ceiling's single thread. */
function cpuRow(run: HubRun, busiest: string): string {
  const us = (s: number) => ((s * 1e6) / run.stored).toFixed(1);
  const t = run.threads;
  const hub = t ? `main ${us(t.main)}, ${busiest} ${us(t.busiest)}, rest (GC, pool) ${us(t.rest)}; ` : '';
  return `${hub}client ${us(run.clientCpuS)}`;
}

async function findPort(hub: ReturnType<typeof runTs>): Promise<number> {
  const line = await hub.waitFor((l) => l.event === 'hub_listening');
  return line.http_port as number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  try {
    process.stdout.write(`generating ${N} events…\n`);
    const events = makeEvents(N);
    // Encoded once: the client shares the machine with the hub, so it spends as little CPU per request as it can.
    const bodies: Buffer[] = [];
    for (let i = 0; i < events.length; i += BATCH) bodies.push(Buffer.from(JSON.stringify({ events: events.slice(i, i + BATCH) })));

    const measured = ceiling(events, dir);
    const ceil = measured.rowsPerS;
    const sqlite = await throughHub(bodies, { DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'info' }, join(dir, 'hub.db'));
    const sustained = sqlite.foldedEps!;
    const rows: [string, string][] = [
      ['ceiling (index-free append, no HTTP)', `${Math.round(ceil).toLocaleString()} rows/s`],
      ['hub on SQLite file, acknowledged (durable, de-duplicated)', `${Math.round(sqlite.eps).toLocaleString()} events/s (p95 ${sqlite.p95.toFixed(1)} ms/request)`],
      ['hub on SQLite file, folded too (indexes and rollups)', `${Math.round(sustained).toLocaleString()} events/s`],
      ['ratio hub/ceiling (folded)', (sustained / ceil).toFixed(3)],
      ['CPU µs per event, hub on SQLite (ceiling: per row)', `${cpuRow(sqlite, 'writer thread')} (ceiling ${measured.cpuUsPerRow.toFixed(1)})`],
      ['ratio this CPU allows on this machine', cpuBound(sqlite, measured.cpuUsPerRow)],
      ['target ≥ 40,000 events/s and ratio ≥ 0.25 (folded)', sustained >= 40_000 && sustained / ceil >= 0.25 ? 'met' : 'MISSED'],
    ];
    if (args.pg) {
      const schema = `bench_${Date.now().toString(36)}`;
      const pg = await throughHub(bodies, { DATABASE_URL: args['pg-url']!, DATABASE_SCHEMA: schema, LOG_LEVEL: 'info' });
      rows.push(['hub on PostgreSQL (written to events directly)', `${Math.round(pg.eps).toLocaleString()} events/s (p95 ${pg.p95.toFixed(1)} ms/request)`]);
      rows.push(['CPU µs per event, hub on PostgreSQL', cpuRow(pg, 'busiest other thread')]);
      const knex = (await import('knex')).default({ client: 'pg', connection: args['pg-url'] });
      await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await knex.destroy();
    }
    process.stdout.write(`\nbench:ingest — ${N.toLocaleString()} events, batches of ${BATCH}, ${CONC} concurrent clients\n`);
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(58)} ${v}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:ingest failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
