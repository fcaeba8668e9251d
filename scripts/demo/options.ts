/**
 * `npm run demo` options: flags and environment validated once (zod), with one error naming the bad input.
 * Ports: the user's defaults (HTTP 8000, MQTT 1883) unless CI=true or the port is taken — then a free port (0).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { describeIssues } from '../../common/layout.js';

export const DEMO_USAGE =
  'usage: npm run demo [-- --realtime] [--exit] [--start-time ISO] [--http-port N] [--mqtt-port N] [--db sqlite:path] [--keep-db] [--no-fetch] [--assets-origin URL]';

/** Clip-time origin of data/pos_transactions.csv: its rows are written relative to this instant. */
export const POS_CSV_ORIGIN = '2026-03-03T10:00:00+05:30';
export const DEFAULT_DB = 'sqlite:./data/demo.db';

const port = z.coerce.number().int().min(0).max(65535);
const schema = z.object({
  /** Pace the clips at their frame rate (watch it live) instead of as fast as the CPU goes. */
  realtime: z.boolean(),
  /** Exit after printing the metrics instead of leaving the dashboard running (tests, CI). */
  exit: z.boolean(),
  /** Timestamp of frame 0 of every clip; default now. */
  startTimeMs: z.number().int(),
  /** Requested ports; null = default with fallback to a free port. */
  httpPort: port.nullable(),
  mqttPort: port.nullable(),
  databaseUrl: z.string().regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must be sqlite:<path> or postgres://…'),
  /** Keep the demo database of an earlier run instead of starting from an empty one. */
  keepDb: z.boolean(),
  ci: z.boolean(),
  /** Download the default model and the clips when they are missing (off: only say how). */
  fetch: z.boolean(),
  /** Stand-in for the download hosts: every asset URL's path is fetched from this origin instead. */
  assetsOrigin: z.url().nullable(),
});
export type DemoOptions = z.infer<typeof schema>;

const FLAG_OF: Record<string, string> = { databaseUrl: 'db', httpPort: 'http-port', mqttPort: 'mqtt-port', assetsOrigin: 'assets-origin' };

export function parseDemoOptions(argv: string[], env: Readonly<Record<string, string | undefined>>, nowMs: number): DemoOptions {
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: {
        realtime: { type: 'boolean', default: false }, exit: { type: 'boolean', default: false }, 'start-time': { type: 'string' },
        'http-port': { type: 'string' }, 'mqtt-port': { type: 'string' }, db: { type: 'string' }, 'keep-db': { type: 'boolean', default: false },
        'no-fetch': { type: 'boolean', default: false }, 'assets-origin': { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${(err as Error).message}; ${DEMO_USAGE}`);
  }
  let startTimeMs = nowMs;
  if (a['start-time'] !== undefined) {
    const s = a['start-time'];
    startTimeMs = Date.parse(s);
    if (!Number.isFinite(startTimeMs) || !/(Z|[+-]\d\d:?\d\d)$/.test(s)) throw new AppError('BAD_REQUEST', `--start-time must be ISO-8601 with a zone, e.g. 2026-03-03T10:00:00+05:30 (got "${s}")`);
  }
  const ci = env.CI === 'true' || env.CI === '1';
  const r = schema.safeParse({
    realtime: a.realtime, exit: a.exit || ci, startTimeMs,
    httpPort: a['http-port'] ?? null, mqttPort: a['mqtt-port'] ?? null,
    databaseUrl: a.db ?? DEFAULT_DB, keepDb: a['keep-db'], ci,
    fetch: !a['no-fetch'], assetsOrigin: a['assets-origin'] ?? null,
  });
  if (!r.success) throw new AppError('BAD_REQUEST', `demo options: ${describeIssues(r.error).replace(/^(httpPort|mqttPort|databaseUrl|assetsOrigin)/, (m) => `--${FLAG_OF[m]}`)}; ${DEMO_USAGE}`);
  return r.data;
}
