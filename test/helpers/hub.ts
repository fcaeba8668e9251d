import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import knexFactory from 'knex';
import { createLogger, type Logger } from '../../common/logger.js';
import { loadHubConfig } from '../../hub/config.js';
import { startHub, type RunningHub } from '../../hub/app.js';
import { openDb, type Db } from '../../hub/store/db.js';

/** The real PostgreSQL on this machine (trust auth); override with TEST_PG_URL. */
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Databases every storage suite runs against. */
export const DATABASES = [
  { name: 'SQLite', url: () => 'sqlite::memory:', schema: () => undefined },
  { name: 'PostgreSQL', url: () => PG_URL, schema: () => `t_${randomBytes(5).toString('hex')}` },
] as const;

/** Drops a test schema from PostgreSQL (clean-up registered by the test that made it). */
export async function dropPgSchema(schema: string, url = PG_URL): Promise<void> {
  const k = knexFactory({ client: 'pg', connection: url });
  try {
    await k.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
  } finally {
    await k.destroy();
  }
}

/**
 * Opens a fresh database of `dbCase` before the suite and closes it (dropping its PostgreSQL schema) after;
 * call inside a describe. Returns an accessor, since the handle exists only once the before hook has run.
 */
export function useTestDb(dbCase: (typeof DATABASES)[number]): () => Db {
  let db: Db | undefined;
  let schema: string | undefined;
  before(async () => {
    schema = dbCase.schema();
    db = await openDb(dbCase.url(), schema);
  });
  after(async () => {
    await db?.close();
    if (schema) await dropPgSchema(schema);
  });
  return () => db!;
}

/** A pino logger whose JSON lines are kept in `lines` for assertions. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger({ name: 'hub-test', level: 'info', destination: dest }), lines };
}

export interface TestHub extends RunningHub {
  url: string;
  logs: Record<string, unknown>[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Starts a real hub on port 0; pass env overrides (DATABASE_URL defaults to in-memory SQLite). */
export async function startTestHub(env: Record<string, string | undefined> = {}): Promise<TestHub> {
  const config = loadHubConfig({ HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', HUB_MQTT_PORT: '0', ...env });
  const { logger, lines } = captureLogger();
  const running = await startHub(config, { logger });
  const url = `http://127.0.0.1:${running.httpPort}`;
  return Object.assign(running, {
    url,
    logs: lines,
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  });
}
