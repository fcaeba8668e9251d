import { pino, type Logger, type LoggerOptions } from 'pino';
import { truncate } from './bounds.js';

export type { Logger };

/** JSON logs with an ISO `timestamp` field; `LOG_LEVEL` is read by the entry points, not here. */
export function createLogger(opts: { name: string; level?: string; destination?: NodeJS.WritableStream }): Logger {
  const options: LoggerOptions = {
    name: opts.name,
    level: opts.level ?? 'info',
    base: { service: opts.name },
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }), log: boundFields },
    // A message built from hostile input (a topic, a reason) must not make a log line of megabytes.
    hooks: { logMethod(args, method) { method.apply(this, args.map((a) => (typeof a === 'string' ? truncate(a) : a)) as never); } },
  };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}

/** Top-level string fields are cut to MAX_MESSAGE_CHARS: one log line stays bounded whatever a client sent. */
function boundFields(obj: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) if (typeof v === 'string' && v.length > 2000) obj[k] = truncate(v);
  return obj;
}

/** A logger that drops everything: for tests that do not assert on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
