import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../common/errors.js';
import { describeIssues } from '../common/layout.js';
import { DEFAULT_THRESHOLDS as ANOMALY, type AnomalyThresholds } from './analytics/anomalies/types.js';
import type { IdentityConfig } from './identity/identity-service.js';
import { DEFAULT_RULES } from './identity/resolve.js';
import { loadMqttTransportConfig, mqttEnvSchema, type MqttTransportConfig } from './transport/config.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);

/** Every variable the hub reads, with its default: the one table README.md's configuration section mirrors. */
export const hubEnvSchema = z.object({
  /** HTTP port; 0 = any free port (the hub_listening log line reports the real one). */
  HUB_HTTP_PORT: port.default(8000),
  /** Interface to bind. */
  HUB_HOST: z.string().default('0.0.0.0'),
  /**
   * Trust X-Forwarded-For / X-Forwarded-Proto (true only behind a reverse proxy that sets them); off, a client
   * could pick its own IP and walk past the per-IP rate limit and login throttle.
   */
  HUB_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** sqlite:<path>, sqlite::memory: or postgres://… */
  DATABASE_URL: z.string().default('sqlite:./data/store.db'),
  /** PostgreSQL schema to use (created if missing); tests use one per run. */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A store or camera silent this long is a stale feed (warning, store degraded). */
  STALE_FEED_MINUTES: z.coerce.number().min(0).default(ANOMALY.staleFeedMinutes),
  /** Most events one POST /events/ingest may carry. */
  INGEST_MAX_EVENTS: positiveInt.default(5000),
  /** Largest request body in bytes (default 4 MB). */
  INGEST_MAX_BYTES: positiveInt.default(4 * 1024 * 1024),
  /** The store layout file loaded at start. */
  STORE_LAYOUT: z.string().default('data/store_layout.json'),
  /** API keys file (hashes only; `npm run apikey:add`). Unset = open hub (a warning is logged at start). */
  HUB_API_KEYS_FILE: z.string().optional(),
  /** Comma-separated origins allowed by CORS; unset = CORS off. */
  HUB_CORS_ORIGINS: z.string().optional(),
  /** Write requests (POST) per minute per client IP, and the burst allowed above that rate. */
  RATE_LIMIT_IP_PER_MIN: positiveInt.default(3000),
  RATE_LIMIT_IP_BURST: positiveInt.default(500),
  /** Write requests per minute per API key (when keys are required), and its burst. */
  RATE_LIMIT_KEY_PER_MIN: positiveInt.default(3000),
  RATE_LIMIT_KEY_BURST: positiveInt.default(500),
  /** PEM certificate and key: the hub serves HTTPS (and MQTTS on the embedded broker). */
  HUB_TLS_CERT: z.string().optional(),
  HUB_TLS_KEY: z.string().optional(),
  /** Events stamped further than this in the future are rejected (per event). */
  MAX_FUTURE_SKEW_MIN: z.coerce.number().min(0).default(1440),
  /** Events older than this are rejected (per event); unset = no limit (back-fill is normal). */
  MAX_EVENT_AGE_DAYS: z.coerce.number().min(0).optional(),
  /** Most POS rows one POST /stores/:id/pos may carry. */
  POS_MAX_ROWS: positiveInt.default(10_000),
  /** QUEUE_SPIKE: a billing queue at least this deep… */
  QUEUE_SPIKE_DEPTH: positiveInt.default(ANOMALY.queueSpikeDepth),
  /** …or at least this many times its trailing-hour mean. */
  QUEUE_SPIKE_FACTOR: z.coerce.number().min(1).default(ANOMALY.queueSpikeFactor),
  /** CONVERSION_DROP: last hour below this share of the same hour's 7-day mean… */
  CONVERSION_DROP_RATIO: z.coerce.number().gt(0).max(1).default(ANOMALY.conversionDropRatio),
  /** …judged only when the last hour had at least this many visitors. */
  CONVERSION_DROP_MIN_VISITORS: positiveInt.default(ANOMALY.conversionMinVisitors),
  /** DEAD_ZONE: a zone unvisited this many minutes… */
  DEAD_ZONE_MINUTES: positiveInt.default(ANOMALY.deadZoneMinutes),
  /** …while at least this many visitors entered the store. */
  DEAD_ZONE_MIN_VISITORS: positiveInt.default(ANOMALY.deadZoneMinVisitors),
  /** Live stream: after new events, wait this long (ms) for more before pushing metrics (one query per burst). */
  SSE_DEBOUNCE_MS: z.coerce.number().int().min(0).max(1500).default(300),
  /** Live stream: seconds between keepalive comments (proxies drop idle connections). */
  SSE_KEEPALIVE_S: positiveInt.default(15),
  /** Live stream: reconnection delay (ms) the browser is told to use after the connection drops. */
  SSE_RETRY_MS: positiveInt.default(2000),
  /** Keep appearance signatures this many minutes; unset = until the end of the store's day (its time zone). */
  IDENTITY_SIGNATURE_TTL_MIN: z.coerce.number().positive().optional(),
  /** Posterior probability a cross-camera link needs (precision first: a wrong link merges two people). */
  IDENTITY_MIN_POSTERIOR: z.coerce.number().gt(0).lt(1).default(DEFAULT_RULES.minPosterior),
  /** Typical time (minutes, median) from the entrance to another camera's view, e.g. the till… */
  IDENTITY_TRANSIT_MEDIAN_MIN: z.coerce.number().positive().default(DEFAULT_RULES.transitMedianMs / 60_000),
  /** …and its spread (log-normal shape; larger = less informative). */
  IDENTITY_TRANSIT_SIGMA: z.coerce.number().positive().max(5).default(DEFAULT_RULES.transitSigma),
  /** Fastest walk (s) from the entrance into another camera's view. */
  IDENTITY_MIN_TRANSIT_S: z.coerce.number().min(0).default(DEFAULT_RULES.minTransitMs / 1000),
  /** Longest visit (minutes): earlier entrants are never candidates. */
  IDENTITY_MAX_STAY_MIN: z.coerce.number().positive().default(DEFAULT_RULES.maxStayMs / 60_000),
  /** A till-camera track is first decided this many minutes after it settles, once the exits after it are seen. */
  IDENTITY_EXIT_WAIT_MIN: z.coerce.number().min(0).max(60).default(DEFAULT_RULES.exitWaitMs / 60_000),
  /** Weight of the second appearance sample (a track against the candidate's leaving track); 0 = unused. */
  IDENTITY_SECOND_SAMPLE_WEIGHT: z.coerce.number().min(0).max(1).default(DEFAULT_RULES.secondSampleWeight),
  /** Correlation assumed between one person's views (and a look-alike's): entering, till and leaving weighed jointly; 0 = independent. */
  IDENTITY_VIEW_CORRELATION: z.coerce.number().min(0).max(0.9).default(DEFAULT_RULES.viewCorrelation),
  /** Once this many cross-camera links exist, the view correlation is measured on them instead; 0 = never. */
  IDENTITY_MEASURE_CORRELATION_AFTER: z.coerce.number().int().min(0).default(DEFAULT_RULES.estimateCorrelationAfter),
  /** A store that sent no signature for this many seconds has its remaining tracks decided. */
  IDENTITY_IDLE_FLUSH_S: z.coerce.number().positive().default(300),
});
export type HubEnv = z.infer<typeof hubEnvSchema>;

export interface HubConfig {
  http: { port: number; host: string; trustProxy: boolean };
  database: { url: string; schema: string | undefined };
  logLevel: HubEnv['LOG_LEVEL'];
  staleFeedMinutes: number;
  ingest: { maxEvents: number; maxBytes: number };
  storeLayoutPath: string;
  security: {
    apiKeysFile: string | undefined;
    corsOrigins: string[];
    rateLimit: { ip: { perMinute: number; burst: number }; key: { perMinute: number; burst: number } };
    /** HUB_TLS_CERT / HUB_TLS_KEY, read once at start: HTTPS and the embedded broker's MQTTS both use them. */
    tls: { certFile: string; keyFile: string; cert: Buffer; key: Buffer } | undefined;
  };
  eventTime: { maxFutureSkewMin: number; maxEventAgeDays: number | undefined };
  /** Analytics: POS request limit and anomaly thresholds (STALE_FEED_MINUTES is `staleFeedMinutes`). */
  analytics: Omit<AnomalyThresholds, 'staleFeedMinutes'> & { posMaxRows: number };
  /** Dashboard live stream: SSE debounce, keepalive and retry, in ms. */
  dashboard: { sseDebounceMs: number; sseKeepaliveMs: number; sseRetryMs: number };
  /** MQTT: the embedded broker or an external one (hub/transport/config.ts has its variables). */
  mqtt: MqttTransportConfig;
  /** Store-level identity: resolution rules, signature expiry, idle flush and sweep periods. */
  identity: IdentityConfig;
}

/** The hub's variables and the MQTT transport's, parsed together so that one message names every bad one. */
const allEnvSchema = hubEnvSchema.extend(mqttEnvSchema.shape);

function readTls(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!certFile || !keyFile) return undefined;
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `invalid environment: HUB_TLS_CERT/HUB_TLS_KEY: cannot read (${(err as Error).message})`);
  }
}

/**
 * Parses the environment once, at start and before any socket opens; one error names every bad variable. Nothing
 * below the entry point reads the environment: everything it configures is in the returned object.
 */
export function loadHubConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const r = allEnvSchema.safeParse(env);
  if (!r.success) throw new AppError('CONFIG_INVALID', `invalid environment: ${describeIssues(r.error)}`);
  const e = r.data;
  if (!!e.HUB_TLS_CERT !== !!e.HUB_TLS_KEY) {
    throw new AppError('CONFIG_INVALID', 'invalid environment: HUB_TLS_CERT and HUB_TLS_KEY: set both or neither');
  }
  const tls = readTls(e.HUB_TLS_CERT, e.HUB_TLS_KEY);
  return Object.freeze({
    http: { port: e.HUB_HTTP_PORT, host: e.HUB_HOST, trustProxy: e.HUB_TRUST_PROXY === 'true' },
    database: { url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA },
    logLevel: e.LOG_LEVEL,
    staleFeedMinutes: e.STALE_FEED_MINUTES,
    ingest: { maxEvents: e.INGEST_MAX_EVENTS, maxBytes: e.INGEST_MAX_BYTES },
    storeLayoutPath: e.STORE_LAYOUT,
    security: {
      apiKeysFile: e.HUB_API_KEYS_FILE,
      corsOrigins: (e.HUB_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
      rateLimit: {
        ip: { perMinute: e.RATE_LIMIT_IP_PER_MIN, burst: e.RATE_LIMIT_IP_BURST },
        key: { perMinute: e.RATE_LIMIT_KEY_PER_MIN, burst: e.RATE_LIMIT_KEY_BURST },
      },
      tls: tls && { certFile: e.HUB_TLS_CERT!, keyFile: e.HUB_TLS_KEY!, ...tls },
    },
    eventTime: { maxFutureSkewMin: e.MAX_FUTURE_SKEW_MIN, maxEventAgeDays: e.MAX_EVENT_AGE_DAYS },
    analytics: {
      posMaxRows: e.POS_MAX_ROWS,
      queueSpikeDepth: e.QUEUE_SPIKE_DEPTH,
      queueSpikeFactor: e.QUEUE_SPIKE_FACTOR,
      conversionDropRatio: e.CONVERSION_DROP_RATIO,
      conversionMinVisitors: e.CONVERSION_DROP_MIN_VISITORS,
      deadZoneMinutes: e.DEAD_ZONE_MINUTES,
      deadZoneMinVisitors: e.DEAD_ZONE_MIN_VISITORS,
    },
    dashboard: { sseDebounceMs: e.SSE_DEBOUNCE_MS, sseKeepaliveMs: e.SSE_KEEPALIVE_S * 1000, sseRetryMs: e.SSE_RETRY_MS },
    mqtt: loadMqttTransportConfig(env, tls ?? null),
    identity: {
      rules: {
        ...DEFAULT_RULES,
        minPosterior: e.IDENTITY_MIN_POSTERIOR,
        transitMedianMs: e.IDENTITY_TRANSIT_MEDIAN_MIN * 60_000,
        transitSigma: e.IDENTITY_TRANSIT_SIGMA,
        minTransitMs: e.IDENTITY_MIN_TRANSIT_S * 1000,
        maxStayMs: e.IDENTITY_MAX_STAY_MIN * 60_000,
        exitWaitMs: e.IDENTITY_EXIT_WAIT_MIN * 60_000,
        secondSampleWeight: e.IDENTITY_SECOND_SAMPLE_WEIGHT,
        viewCorrelation: e.IDENTITY_VIEW_CORRELATION,
        estimateCorrelationAfter: e.IDENTITY_MEASURE_CORRELATION_AFTER,
      },
      ttlMs: e.IDENTITY_SIGNATURE_TTL_MIN === undefined ? null : e.IDENTITY_SIGNATURE_TTL_MIN * 60_000,
      idleFlushMs: e.IDENTITY_IDLE_FLUSH_S * 1000,
      sweepMs: Math.min(60_000, e.IDENTITY_IDLE_FLUSH_S * 1000),
    },
  });
}
