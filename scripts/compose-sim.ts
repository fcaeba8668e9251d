/**
 * npm run compose:sim [-- --stores 2 --cameras 3 --hours 1 --seed 1 --mqtt mqtt://127.0.0.1:1883 --pg postgres://…]
 * Runs docker-compose.yml's `scale` profile natively (no Docker engine needed): one hub process per hub replica
 * of the file (hub_a, hub_b) with that service's environment, its compose host names mapped onto this machine
 * (mosquitto → the local Mosquitto, postgres → the local PostgreSQL in a schema of its own), then the simulator
 * publishing like the stores' agents. It checks that every published event is stored exactly once and that
 * every replica took part, prints a JSON report, and exits 1 when a check fails.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import mqtt from 'mqtt';
import { parse } from 'yaml';
import { AppError, isAppError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import { generateAll, simulate } from './simulate/generator.js';
import { publishItems } from './simulate/publish.js';
import { runTs, type Proc } from './lib/child.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface Replica {
  name: string;
  env: Record<string, string>;
}

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}; `$$` is a literal `$`. */
export function interpolate(s: string, env: Readonly<Record<string, string | undefined>>): string {
  return s.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (m, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    const set = op?.startsWith(':') ? !!v : v !== undefined;
    if (set) return v!;
    if (op?.endsWith('?')) throw new AppError('CONFIG_INVALID', `docker-compose.yml: ${name} is required (${arg || 'no message'})`);
    return op ? (arg ?? '') : '';
  });
}

/** The hub replicas of the scale profile: services with MQTT_URL set, in file order, environment interpolated. */
export function scaleReplicas(composeText: string, env: Readonly<Record<string, string | undefined>> = process.env): Replica[] {
  const doc = parse(composeText, { merge: true }) as { services?: Record<string, { profiles?: string[]; environment?: Record<string, unknown> }> };
  const replicas = Object.entries(doc.services ?? {})
    .filter(([, s]) => s.profiles?.includes('scale') && s.environment?.MQTT_URL)
    .map(([name, s]) => ({ name, env: Object.fromEntries(Object.entries(s.environment!).map(([k, v]) => [k, interpolate(String(v), env)])) }));
  if (replicas.length < 2) throw new AppError('CONFIG_INVALID', `docker-compose.yml: the scale profile must define at least two hub replicas with MQTT_URL (found ${replicas.length})`);
  return replicas;
}

export interface SimOptions {
  stores: number;
  cameras: number;
  hours: number;
  seed: number;
  mqttUrl: string;
  pgUrl: string;
  logger: Logger;
}

export interface SimReport {
  replicas: { name: string; events_inserted: number }[];
  published: number;
  stored: number;
  distinct: number;
  ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Maps one replica's compose environment onto this machine; names are suffixed so runs never share sessions. */
function nativeEnv(r: Replica, o: SimOptions, schema: string, tag: string): Record<string, string> {
  return {
    ...r.env,
    HUB_HTTP_PORT: '0',
    HUB_HOST: '127.0.0.1',
    DATABASE_URL: o.pgUrl,
    DATABASE_SCHEMA: schema,
    MQTT_URL: o.mqttUrl,
    MQTT_CLIENT_ID: `${r.env.MQTT_CLIENT_ID ?? r.name}-${tag}`,
    MQTT_SHARED_GROUP: `${r.env.MQTT_SHARED_GROUP ?? 'hub'}_${tag}`,
  };
}

export async function runComposeSim(o: SimOptions): Promise<SimReport> {
  const replicas = scaleReplicas(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'));
  const tag = randomBytes(4).toString('hex');
  const schema = `compose_sim_${tag}`;
  const procs: Proc[] = [];
  const knex = knexFactory({ client: 'pg', connection: o.pgUrl, searchPath: [schema] });
  const config = { stores: o.stores, cameras: o.cameras, hours: o.hours, seed: o.seed, startMs: Date.now() - o.hours * 3_600_000, storePrefix: `SIM_${tag}` };
  try {
    for (const r of replicas) {
      // One at a time, as compose's depends_on would: the second replica finds the schema migrated.
      const p = runTs('hub/main.ts', [], nativeEnv(r, o, schema, tag));
      procs.push(p);
      await p.waitFor((l) => l.event === 'hub_listening', 60_000);
      o.logger.info({ event: 'compose_sim_replica_up', replica: r.name, pid: p.child.pid }, `${r.name} up`);
    }
    const expected = generateAll(config).events.length;
    const report = await publishItems(simulate(config), { mqttUrl: o.mqttUrl, speed: 0, startMs: config.startMs, batchMax: 200, maxInFlight: 8, logger: o.logger });
    let stored = 0;
    for (let i = 0; i < 600 && stored < report.events; i++) {
      stored = Number((await knex('events').count({ n: '*' }))[0]!.n);
      if (stored < report.events) await sleep(100);
    }
    await sleep(500); // a late duplicate would show up here
    stored = Number((await knex('events').count({ n: '*' }))[0]!.n);
    const distinct = Number((await knex('events').countDistinct({ n: 'event_id' }))[0]!.n);
    const shares: SimReport['replicas'] = [];
    for (const [i, p] of procs.entries()) {
      p.child.kill('SIGTERM');
      const closed = await p.waitFor((l) => l.event === 'mqtt_transport_closed', 30_000);
      shares.push({ name: replicas[i]!.name, events_inserted: Number(closed.events_inserted) });
    }
    const ok = report.events === expected && stored === expected && distinct === expected && shares.every((s) => s.events_inserted > 0) &&
      shares.reduce((a, s) => a + s.events_inserted, 0) === expected;
    return { replicas: shares, published: report.events, stored, distinct, ok };
  } finally {
    for (const p of procs) if (p.child.exitCode === null) (p.child.kill('SIGKILL'), await p.exited);
    // The replicas' persistent sessions (clean: false) would queue messages on the broker forever: discard them.
    for (const r of replicas) {
      const clientId = nativeEnv(r, o, schema, tag).MQTT_CLIENT_ID;
      await mqtt.connectAsync(o.mqttUrl, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 }).then((c) => c.endAsync(), () => undefined);
    }
    await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]).catch(() => undefined);
    await knex.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: { stores: { type: 'string', default: '2' }, cameras: { type: 'string', default: '3' }, hours: { type: 'string', default: '1' }, seed: { type: 'string', default: '1' }, mqtt: { type: 'string', default: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883' }, pg: { type: 'string', default: process.env.COMPOSE_SIM_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' } },
  });
  const n = (k: string, v: string) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new AppError('BAD_REQUEST', `--${k} must be a positive number (got "${v}")`);
    return x;
  };
  const logger = createLogger({ name: 'compose-sim', level: process.env.LOG_LEVEL ?? 'info' });
  const report = await runComposeSim({ stores: n('stores', a.stores), cameras: n('cameras', a.cameras), hours: n('hours', a.hours), seed: n('seed', a.seed), mqttUrl: a.mqtt, pgUrl: a.pg, logger });
  logger.info({ event: 'compose_sim_report', ...report }, report.ok ? 'every event stored once; every replica took part' : 'CHECK FAILED');
  return report.ok ? 0 : 1;
}

if (process.argv[1]?.endsWith('scripts/compose-sim.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`compose-sim: ${isAppError(err) ? err.message : (err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
