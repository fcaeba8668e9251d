/**
 * npm run agent:replay -- --events <file.jsonl> --mqtt <url> [--username u --password p] [--spool-dir dir]
 *                          [--batch-max 500] [--batch-ms 1000]
 * Publishes a JSON-lines event file through the agent publisher (one per store/camera, same spool and
 * batching as a live agent), waits for every PUBACK, then exits. Used by the demo, the tests and back-fills.
 * Every line is validated first: a bad line stops the run before anything is sent, naming line and field.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { validateEvent, type StoreEvent } from '../common/event.js';
import { AppError, isAppError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { createPublisher } from './publisher/publisher.js';

const USAGE = 'usage: npm run agent:replay -- --events <file.jsonl> --mqtt <mqtt://host:port> [--username u --password p] [--spool-dir dir]';

/** Pure: parses and validates a JSON-lines file; throws one error listing the first bad lines. */
export function parseEventLines(text: string, source: string): StoreEvent[] {
  const out: StoreEvent[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || problems.length >= 10) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      problems.push(`${source}:${i + 1}: not JSON (${(err as Error).message.slice(0, 80)})`);
      return;
    }
    const r = validateEvent(raw, i);
    if ('event' in r) out.push(r.event);
    else problems.push(...r.errors.map((e) => `${source}:${i + 1}: ${e.field}: ${e.reason}`));
  });
  if (problems.length > 0) throw new AppError('BAD_REQUEST', `invalid events file, nothing sent:\n  ${problems.slice(0, 10).join('\n  ')}`);
  return out;
}

async function main(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      mqtt: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'spool-dir': { type: 'string' },
      'batch-max': { type: 'string', default: '500' },
      'batch-ms': { type: 'string', default: '1000' },
    },
  });
  if (!a.events) throw new AppError('BAD_REQUEST', `--events is required (${USAGE})`);
  if (!a.mqtt) throw new AppError('BAD_REQUEST', `--mqtt is required (${USAGE})`);
  const logger = createLogger({ name: 'agent-replay', level: process.env.LOG_LEVEL ?? 'info' });
  let text: string;
  try {
    text = readFileSync(a.events, 'utf8');
  } catch (err) {
    throw new AppError('BAD_REQUEST', `--events ${a.events}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const events = parseEventLines(text, a.events);
  const byCamera = new Map<string, StoreEvent[]>();
  for (const e of events) {
    const key = `${e.store_id}/${e.camera_id}`;
    if (!byCamera.has(key)) byCamera.set(key, []);
    byCamera.get(key)!.push(e);
  }
  const ownSpool = !a['spool-dir'];
  const spoolRoot = a['spool-dir'] ?? mkdtempSync(join(tmpdir(), 'replay-spool-'));
  const t0 = Date.now();
  logger.info({ event: 'replay_start', file: a.events, events: events.length, cameras: byCamera.size, mqtt: a.mqtt }, 'replaying');
  const publishers = [...byCamera].map(([key, list]) => {
    const [storeId, cameraId] = key.split('/') as [string, string];
    const p = createPublisher({
      mqttUrl: a.mqtt!, storeId, cameraId, spoolDir: join(spoolRoot, `${storeId}__${cameraId}`),
      batchMax: Number(a['batch-max']), batchMs: Number(a['batch-ms']), username: a.username, password: a.password, logger,
    });
    p.publish(list);
    return p;
  });
  await Promise.all(publishers.map((p) => p.drain()));
  const seconds = (Date.now() - t0) / 1000;
  for (const p of publishers) await p.close();
  if (ownSpool) rmSync(spoolRoot, { recursive: true, force: true });
  logger.info({ event: 'replay_done', events: events.length, seconds, events_per_s: Math.round(events.length / seconds) }, 'every event acknowledged');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`agent:replay: ${isAppError(err) ? err.message : (err as Error).stack}\n`);
    process.exit(1);
  });
}
