/**
 * npm run simulate -- --stores N --cameras M --hours H [--speed X] [--seed S] [--start ISO]
 *                     (--mqtt URL [--hub URL] [--pos-out pos.csv] | --out events.jsonl)
 *                     [--visitors-per-hour V] [--username u --password p] [--api-key k] [--truth-out truth.json]
 * A seeded store-day simulator at the event level (no video): publishes visitor journeys over MQTT like N×M
 * camera agents, sends the matching POS rows to the hub (or writes a CSV), and prints the true counts.
 * --speed X paces the day at X simulated seconds per second (0, the default, = as fast as the broker takes it);
 * --start defaults to now − H hours without pacing (the day just happened) and to now with pacing (live).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { layoutOf, parseSimConfig, storePlan } from './simulate/config.js';
import { posCsv, simulate, type PosRow, type SimItem, type SimTruth } from './simulate/generator.js';
import { publishItems } from './simulate/publish.js';

const USAGE =
  'usage: npm run simulate -- --stores N --cameras M --hours H [--speed X] [--seed S] [--start ISO] (--mqtt mqtt://host:1883 [--hub http://host:8000] [--pos-out pos.csv] | --out events.jsonl)';

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new AppError('BAD_REQUEST', `--${name} must be a number (got "${v}"); ${USAGE}`);
  return n;
}

export function parseCli(argv: string[], nowMs: number) {
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: {
        stores: { type: 'string' }, cameras: { type: 'string' }, hours: { type: 'string' }, speed: { type: 'string' },
        seed: { type: 'string' }, start: { type: 'string' }, 'visitors-per-hour': { type: 'string' }, staff: { type: 'string' },
        mqtt: { type: 'string' }, hub: { type: 'string' }, 'pos-out': { type: 'string' }, out: { type: 'string' },
        username: { type: 'string' }, password: { type: 'string' }, 'api-key': { type: 'string' }, 'truth-out': { type: 'string' },
        'batch-max': { type: 'string' }, prefix: { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${(err as Error).message}; ${USAGE}`);
  }
  if (!a.mqtt && !a.out) throw new AppError('BAD_REQUEST', `--mqtt (publish) or --out (write JSON lines) is required; ${USAGE}`);
  if (a.hub && !/^https?:\/\/.+/.test(a.hub)) throw new AppError('BAD_REQUEST', `--hub must be an http(s):// URL (got "${a.hub}")`);
  const speed = num('speed', a.speed) ?? 0;
  if (speed < 0) throw new AppError('BAD_REQUEST', `--speed must be ≥ 0 (got ${speed})`);
  const hours = num('hours', a.hours) ?? 12;
  let startMs = speed > 0 ? nowMs : nowMs - hours * 3_600_000;
  if (a.start !== undefined) {
    startMs = Date.parse(a.start);
    if (!Number.isFinite(startMs) || !/(Z|[+-]\d\d:?\d\d)$/.test(a.start)) throw new AppError('BAD_REQUEST', `--start must be ISO-8601 with a zone, e.g. 2026-03-03T10:00:00+05:30 (got "${a.start}")`);
  }
  const config = parseSimConfig({
    stores: num('stores', a.stores), cameras: num('cameras', a.cameras), hours, seed: num('seed', a.seed),
    startMs: Math.round(startMs), visitorsPerHour: num('visitors-per-hour', a['visitors-per-hour']), staffPerStore: num('staff', a.staff),
    storePrefix: a.prefix,
  });
  const batchMax = num('batch-max', a['batch-max']) ?? 500;
  if (!Number.isInteger(batchMax) || batchMax < 1 || batchMax > 5000) throw new AppError('BAD_REQUEST', `--batch-max must be an integer in 1..5000 (got ${batchMax})`);
  return { config, speed, batchMax, mqtt: a.mqtt, hub: a.hub?.replace(/\/$/, ''), posOut: a['pos-out'], out: a.out, username: a.username, password: a.password, apiKey: a['api-key'], truthOut: a['truth-out'] };
}

/** Drains the generator, returning its items lazily and capturing the truth when it ends. */
function tap(gen: Generator<SimItem, SimTruth>, sink: { truth?: SimTruth }): Iterable<SimItem> {
  return {
    *[Symbol.iterator]() {
      sink.truth = yield* gen;
    },
  };
}

export async function putLayouts(hub: string, config: ReturnType<typeof parseCli>['config'], apiKey: string | undefined, warn: (msg: string) => void) {
  for (let i = 0; i < config.stores; i++) {
    const layout = layoutOf(storePlan(config, i));
    const res = await fetch(`${hub}/stores/${layout.store_id}/layout`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify(layout),
    }).catch((err: Error) => {
      throw new AppError('BAD_REQUEST', `--hub ${hub}: unreachable (${err.message})`);
    });
    if (!res.ok) warn(`PUT /stores/${layout.store_id}/layout answered ${res.status}; zone names fall back to ids`);
  }
}

async function main(argv: string[]): Promise<void> {
  const logger = createLogger({ name: 'simulate', level: process.env.LOG_LEVEL ?? 'info' });
  const o = parseCli(argv, Date.now());
  const { config } = o;
  logger.info({ event: 'sim_start', ...config, start: new Date(config.startMs).toISOString(), speed: o.speed }, 'simulating');
  const sink: { truth?: SimTruth } = {};
  let pos: PosRow[] = [];
  if (o.out) {
    const lines: string[] = [];
    for (const item of tap(simulate(config), sink)) {
      if (item.kind === 'event') lines.push(JSON.stringify(item.event));
      else pos.push(item.pos);
    }
    writeFileSync(o.out, lines.join('\n') + '\n');
    logger.info({ event: 'sim_written', file: o.out, events: lines.length }, 'events written');
  }
  if (o.mqtt) {
    if (o.hub) await putLayouts(o.hub, config, o.apiKey, (msg) => logger.warn({ event: 'sim_layout_skipped' }, msg));
    const report = await publishItems(tap(simulate(config), sink), {
      mqttUrl: o.mqtt, username: o.username, password: o.password, hubUrl: o.hub, apiKey: o.apiKey,
      speed: o.speed, startMs: config.startMs, batchMax: o.batchMax, maxInFlight: 16, logger,
    });
    pos = report.posKept;
    const rate = Math.round((report.events / Math.max(1, report.wallMs)) * 1000);
    logger.info({ event: 'sim_published', events: report.events, batches: report.batches, pos_rows: report.posRows, wall_ms: report.wallMs, events_per_s: rate }, 'published');
  }
  if (o.posOut) {
    writeFileSync(o.posOut, posCsv(pos));
    logger.info({ event: 'sim_pos_written', file: o.posOut, rows: pos.length }, 'POS rows written');
  } else if (!o.hub && pos.length > 0) {
    logger.warn({ event: 'sim_pos_dropped', rows: pos.length }, 'POS rows not kept: give --hub URL (POST /stores/:id/pos) or --pos-out file.csv');
  }
  if (o.truthOut && sink.truth) writeFileSync(o.truthOut, JSON.stringify(sink.truth, null, 2));
  logger.info({ event: 'sim_truth', ...sink.truth?.total }, 'true counts of the simulated day');
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/simulate.ts');
if (isMain) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`simulate: ${isAppError(err) ? err.message : (err as Error).stack}\n`);
    process.exit(isAppError(err) && err.code === 'BAD_REQUEST' ? 2 : 1);
  });
}
