/**
 * The agent's options, parsed once at the edge: CLI flags > camera file (data/cameras/<camera>.json) > defaults,
 * plus the environment (STORE_ASSETS_DIR, FFMPEG_PATH, FFPROBE_PATH, LOG_LEVEL). Every bad input is named in one
 * error message (`--conf: …; camera file tracker.match_thresh: …`).
 *
 * Camera file: { store_id, camera_id, source, rtsp_transport?, layout?, detector?: { model?, conf?, detect_every?, threads? },
 *                tracker?: { track_thresh?, low_thresh?, match_thresh?, track_buffer? } }
 * `source` is an rtsp:// URL or a clip path; a relative clip path is looked up in $STORE_ASSETS_DIR/media.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { idSchema } from '../common/event.js';
import { AppError, isAppError } from '../common/errors.js';
import { describeIssues } from '../common/layout.js';
import { mqttUrlSchema } from '../common/mqtt-url.js';
import { resolveBinaries } from './source/binaries.js';
import { RTSP_TRANSPORTS, type RtspTransport } from './source/rtsp-options.js';
import { isLive } from './source/video-source.js';
import { loadAgentRuntime, type AgentRuntime } from './runtime.js';
import type { TrackerConfig } from './tracker/byte-tracker.js';
import { DEFAULT_DETECTOR_MODEL } from './detector/models.js';

export const USAGE =
  'usage: npm run agent -- (--camera data/cameras/<cam>.json | --source <clip|rtsp://…>) [--model m.onnx] [--conf 0.1] ' +
  '[--threads 2] [--detect-every 1] [--realtime] [--start-time ISO] [--no-motion-gate] [--annotate out.mp4] [--out tracks.jsonl] ' +
  '[--layout data/store_layout.json] [--mqtt mqtt://host:1883] [--rtsp-transport tcp|udp|auto]';

export const cameraFileSchema = z.object({
  store_id: idSchema,
  camera_id: idSchema,
  /** rtsp:// URL, or a clip path (relative paths resolve in $STORE_ASSETS_DIR/media). */
  source: z.string().min(1),
  /** RTSP: RTP over tcp (interleaved), udp, or auto = TCP, then UDP when the camera refuses TCP. */
  rtsp_transport: z.enum(RTSP_TRANSPORTS).optional(),
  /** Store layout file with this camera's lines and zones. */
  layout: z.string().min(1).default('data/store_layout.json'),
  detector: z
    .object({
      /** Model path; relative paths resolve in $STORE_ASSETS_DIR/models. */
      model: z.string().min(1).optional(),
      conf: z.number().gt(0).lt(1).optional(),
      detect_every: z.number().int().min(1).max(30).optional(),
      threads: z.number().int().min(1).max(64).optional(),
    })
    .strict()
    .default({}),
  tracker: z
    .object({
      track_thresh: z.number().gt(0).lt(1).optional(),
      low_thresh: z.number().gt(0).lt(1).optional(),
      match_thresh: z.number().gt(0).max(1).optional(),
      track_buffer: z.number().int().min(1).optional(),
    })
    .strict()
    .default({}),
});
export type CameraFile = z.infer<typeof cameraFileSchema>;

export interface AgentConfig {
  storeId: string | undefined;
  cameraId: string | undefined;
  source: string;
  modelPath: string;
  conf: number;
  threads: number;
  detectEvery: number;
  motionGate: boolean;
  realtime: boolean;
  startTimeMs: number | undefined;
  fps: number | undefined;
  annotate: string | undefined;
  out: string | undefined;
  mqtt: string | undefined;
  /** RTSP transport policy (flag > camera file > auto). */
  rtspTransport: RtspTransport;
  layoutPath: string;
  tracker: Partial<TrackerConfig>;
  ffmpegPath: string;
  ffprobePath: string;
  logLevel: string;
}

const num = (flag: string, int: boolean, min: number, max: number) =>
  z.coerce.number({ error: `${flag} must be a number` }).refine((n) => Number.isFinite(n) && (!int || Number.isInteger(n)) && n >= min && n <= max, `${flag} must be ${int ? 'an integer' : 'a number'} in ${min}..${max}`);

const flagSchema = z.object({
  conf: num('--conf', false, 0.001, 0.999).optional(),
  threads: num('--threads', true, 1, 64).optional(),
  'detect-every': num('--detect-every', true, 1, 30).optional(),
  fps: num('--fps', false, 0.1, 240).optional(),
  'start-time': z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), '--start-time must be an ISO 8601 time such as 2026-03-01T10:00:00+05:30')
    .optional(),
  mqtt: mqttUrlSchema('--mqtt').optional(),
  'rtsp-transport': z.enum(RTSP_TRANSPORTS, { error: '--rtsp-transport must be tcp, udp or auto' }).optional(),
});

export function loadCameraFile(path: string): CameraFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `--camera ${path}: cannot read camera file (${(err as Error).message})`);
  }
  const r = cameraFileSchema.safeParse(raw);
  if (!r.success) throw new AppError('CONFIG_INVALID', `--camera ${path}: ${describeIssues(r.error)}`);
  return r.data;
}

/** Runs `fn`, keeping its AppError's message in `problems` instead of stopping at it. */
function collect<T>(problems: string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!isAppError(err)) throw err;
    problems.push(err.message);
    return undefined;
  }
}

/** Parses argv + env into a frozen AgentConfig, or throws one AppError naming every bad input. */
export function parseAgentConfig(argv: string[], env: Record<string, string | undefined>): Readonly<AgentConfig> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        camera: { type: 'string' },
        source: { type: 'string' },
        model: { type: 'string' },
        conf: { type: 'string' },
        threads: { type: 'string' },
        'detect-every': { type: 'string' },
        fps: { type: 'string' },
        realtime: { type: 'boolean' },
        'start-time': { type: 'string' },
        'no-motion-gate': { type: 'boolean' },
        annotate: { type: 'string' },
        out: { type: 'string' },
        mqtt: { type: 'string' },
        layout: { type: 'string' },
        'rtsp-transport': { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${(err as Error).message} (${USAGE})`);
  }
  // Every problem below is collected, so one message names them all.
  const problems: string[] = [];
  const flags = flagSchema.safeParse(values);
  if (!flags.success) problems.push(...flags.error.issues.map((i) => i.message));
  const f = flags.success ? flags.data : {};
  const cam = typeof values.camera === 'string' ? collect(problems, () => loadCameraFile(values.camera as string)) : undefined;
  // $STORE_ASSETS_DIR first, then ./assets (where `npm run assets` puts the clips and the model).
  const assets = env.STORE_ASSETS_DIR ?? (existsSync('assets') ? 'assets' : undefined);
  const inAssets = (sub: string, p: string) => (isLive(p) || isAbsolute(p) || !assets ? p : join(assets, sub, p));

  const source = (values.source as string | undefined) ?? (cam ? inAssets('media', cam.source) : undefined);
  if (!source && !(typeof values.camera === 'string')) problems.push(`--source or --camera is required (${USAGE})`);
  const model = (values.model as string | undefined) ?? (cam?.detector.model ? inAssets('models', cam.detector.model) : assets ? join(assets, 'models', DEFAULT_DETECTOR_MODEL) : undefined);
  if (!model) problems.push(`--model is required when STORE_ASSETS_DIR is not set (${USAGE})`);
  else if (!existsSync(model)) problems.push(`--model ${model}: file not found`);
  if (source && !isLive(source) && !existsSync(source)) problems.push(`--source ${source}: file not found`);
  if (problems.length > 0 || !source || !model) {
    const code = problems.some((p) => p.startsWith('--camera')) ? 'CONFIG_INVALID' : 'BAD_REQUEST';
    throw new AppError(code, problems.join('; '));
  }

  const t = cam?.tracker ?? {};
  const tracker: Partial<TrackerConfig> = {
    ...(t.track_thresh !== undefined && { trackThresh: t.track_thresh }),
    ...(t.low_thresh !== undefined && { lowThresh: t.low_thresh }),
    ...(t.match_thresh !== undefined && { matchThresh: t.match_thresh }),
    ...(t.track_buffer !== undefined && { trackBuffer: t.track_buffer }),
  };
  const bins = resolveBinaries(env);
  return Object.freeze({
    storeId: cam?.store_id,
    cameraId: cam?.camera_id,
    source,
    modelPath: model,
    conf: f.conf ?? cam?.detector.conf ?? 0.1,
    threads: f.threads ?? cam?.detector.threads ?? 2,
    detectEvery: f['detect-every'] ?? cam?.detector.detect_every ?? 1,
    motionGate: values['no-motion-gate'] !== true,
    realtime: values.realtime === true,
    startTimeMs: f['start-time'] ? Date.parse(f['start-time']) : undefined,
    fps: f.fps,
    annotate: values.annotate as string | undefined,
    out: values.out as string | undefined,
    mqtt: f.mqtt,
    rtspTransport: f['rtsp-transport'] ?? cam?.rtsp_transport ?? 'auto',
    layoutPath: (values.layout as string | undefined) ?? cam?.layout ?? 'data/store_layout.json',
    tracker,
    ffmpegPath: bins.ffmpegPath,
    ffprobePath: bins.ffprobePath,
    logLevel: env.LOG_LEVEL ?? 'info',
  });
}

/**
 * The agent's whole configuration, flags and environment, parsed once at start: one error names every bad flag,
 * camera-file field and variable.
 */
export function loadAgentConfig(argv: string[], env: Record<string, string | undefined>): { config: Readonly<AgentConfig>; runtime: AgentRuntime } {
  const problems: string[] = [];
  const config = collect(problems, () => parseAgentConfig(argv, env));
  const runtime = collect(problems, () => loadAgentRuntime(env));
  if (!config || !runtime) throw new AppError('CONFIG_INVALID', problems.join('; '));
  return { config, runtime };
}
