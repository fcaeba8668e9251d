/**
 * npm run bench:ingest [-- --events 200000 --batch 500 --concurrency 4 --pg]
 * Posts valid events (random v4 ids, as real clients send) to a hub process on a SQLite file, prints events/s,
 * and in the same run measures the ceiling: the same rows appended into an index-free SQLite table with one
 * prepared multi-row INSERT per batch, no HTTP. Prints the ratio. With --pg also runs the hub on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { runTs } from '../scripts/lib/child.js';
import { isFolded } from '../scripts/lib/sqlite-file.js';
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
function ceiling(events: StoreEvent[], dir: string): number {
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
  for (let i = 0; i + BATCH <= events.length; i += BATCH) {
    const now = Date.now();
    insert(events.slice(i, i + BATCH).flatMap((e) => Object.values({ ...toRow(e, now), is_staff: 0 })));
  }
  const s = (performance.now() - t) / 1000;
  db.close();
  return Math.floor(events.length / BATCH) * BATCH / s;
}

interface HubRun {
  /** Events/s until the last batch was acknowledged (durable, de-duplicated). */
  eps: number;
  /** Events/s until every event was also folded into events' indexes and the rollups (the sustainable rate). */
  foldedEps: number | null;
  p95: number;
}

async function throughHub(bodies: string[], env: Record<string, string>, sqliteFile?: string): Promise<HubRun> {
  const hub = runTs('hub/main.ts', [], { HUB_HTTP_PORT: '0', HUB_MQTT_PORT: '0', HUB_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  // hub_listening is logged at info; with LOG_LEVEL=warn we poll /health instead.
  const port = await findPort(hub);
  const url = `http://127.0.0.1:${port}/events/ingest`;
  const latencies: number[] = [];
  let next = 0;
  let stored = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const json = (await res.json()) as { inserted: number };
        if (res.status !== 200) throw new Error(`hub answered ${res.status}: ${JSON.stringify(json).slice(0, 300)} ${JSON.stringify(hub.lines.filter((l) => l.level === 'error').slice(0, 2))}`);
        latencies.push(performance.now() - t0);
        stored += json.inserted;
      }
    }),
  );
  const s = (performance.now() - t) / 1000;
  let foldedS: number | null = null;
  if (sqliteFile) {
    while (!isFolded(sqliteFile)) await new Promise((r) => setTimeout(r, 10));
    foldedS = (performance.now() - t) / 1000;
  }
  hub.child.kill('SIGTERM');
  await hub.exited;
  latencies.sort((a, b) => a - b);
  if (stored !== bodies.length * BATCH) throw new Error(`stored ${stored} of ${bodies.length * BATCH}`);
  return { eps: stored / s, foldedEps: foldedS ? stored / foldedS : null, p95: latencies[Math.floor(latencies.length * 0.95)]! };
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
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += BATCH) bodies.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));

    const ceil = ceiling(events, dir);
    const sqlite = await throughHub(bodies, { DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'info' }, join(dir, 'hub.db'));
    const sustained = sqlite.foldedEps!;
    const rows: [string, string][] = [
      ['ceiling (index-free append, no HTTP)', `${Math.round(ceil).toLocaleString()} rows/s`],
      ['hub on SQLite file, acknowledged (durable, de-duplicated)', `${Math.round(sqlite.eps).toLocaleString()} events/s (p95 ${sqlite.p95.toFixed(1)} ms/request)`],
      ['hub on SQLite file, folded too (indexes and rollups)', `${Math.round(sustained).toLocaleString()} events/s`],
      ['ratio hub/ceiling (folded)', (sustained / ceil).toFixed(3)],
      ['target ≥ 40,000 events/s and ratio ≥ 0.25 (folded)', sustained >= 40_000 && sustained / ceil >= 0.25 ? 'met' : 'MISSED'],
    ];
    if (args.pg) {
      const schema = `bench_${Date.now().toString(36)}`;
      const pg = await throughHub(bodies, { DATABASE_URL: args['pg-url']!, DATABASE_SCHEMA: schema, LOG_LEVEL: 'info' });
      rows.push(['hub on PostgreSQL (written to events directly)', `${Math.round(pg.eps).toLocaleString()} events/s (p95 ${pg.p95.toFixed(1)} ms/request)`]);
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
