/**
 * npm run agent -- --camera data/cameras/cam_entry_01.json [--annotate out.mp4] [--out tracks.jsonl] [...]
 * Thin entry: config → vision pipeline → behaviour → publisher (--mqtt) and/or events to --out (agent/agent.ts),
 * plus the calibration video (--annotate) and a progress line on a TTY. Exit codes: 0 done, 2 bad input (including a
 * video that is unreadable or ends before its declared frame count), 1 any other failure.
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { AppError, isAppError, type ErrorCode } from '../common/errors.js';
import { findCamera, loadLayoutFile, type CameraLayout } from '../common/layout.js';
import { createLogger, type Logger } from '../common/logger.js';
import { createAnnotationWriter, type AnnotationWriter } from './annotate/annotator.js';
import { loadAgentConfig, type AgentConfig } from './config.js';
import { createPipeline } from './pipeline.js';
import { createProgress } from './progress.js';
import { truncation } from './source/completeness.js';
import { isLive } from './source/video-source.js';
import { runCameraAgent } from './agent.js';
import type { AgentRuntime } from './runtime.js';
import { redactCredentials } from './source/redact.js';
import type { TrackedFrame } from './types.js';

/** The camera's lines and zones for the calibration overlay, when a layout and camera id are known. */
function cameraLayout(cfg: AgentConfig, log: Logger): CameraLayout | undefined {
  if (!cfg.cameraId || !existsSync(cfg.layoutPath)) return undefined;
  const file = loadLayoutFile(cfg.layoutPath);
  const store = file.stores.find((s) => s.store_id === cfg.storeId);
  const cam = store && findCamera(store, cfg.cameraId);
  if (!cam) log.warn({ layout: cfg.layoutPath, store: cfg.storeId, camera: cfg.cameraId }, 'camera not in layout: no lines or zones drawn');
  return cam;
}

/** One JSON line per frame: boxes and ids only (no pixels leave the process). */
export function trackLine(tf: TrackedFrame): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  return JSON.stringify({
    frame: tf.frame.index,
    ts: new Date(tf.frame.timestampMs).toISOString(),
    inferred: tf.inferred,
    tracks: tf.tracks.map((t) => ({ id: t.trackId, state: t.state, score: Math.round(t.score * 1000) / 1000, box: [r(t.box.x1), r(t.box.y1), r(t.box.x2), r(t.box.y2)] })),
    removed: tf.removed,
  });
}

export async function runAgent(cfg: AgentConfig, rt: AgentRuntime, log: Logger, signal: AbortSignal) {
  const pipeline = createPipeline({
    source: cfg.source,
    modelPath: cfg.modelPath,
    conf: cfg.conf,
    threads: cfg.threads,
    detectEvery: cfg.detectEvery,
    motionGate: cfg.motionGate,
    realtime: cfg.realtime,
    ...(cfg.startTimeMs !== undefined && { startTimeMs: cfg.startTimeMs }),
    ...(cfg.fps !== undefined && { fps: cfg.fps }),
    logger: log,
    signal,
    tracker: cfg.tracker,
    ffmpegPath: cfg.ffmpegPath,
    ffprobePath: cfg.ffprobePath,
    rtspTransport: cfg.rtspTransport,
  });
  const camera = cfg.annotate ? cameraLayout(cfg, log) : undefined;
  // Without a store (a bare --source), --out gets per-frame tracks; with one, runCameraAgent writes events to it.
  const tracksOut: WriteStream | undefined = cfg.out && !cfg.storeId ? createWriteStream(cfg.out) : undefined;
  let annotator: AnnotationWriter | undefined;
  let progress: ReturnType<typeof createProgress> | undefined;
  try {
    const result = await runCameraAgent(cfg, rt, {
      pipeline,
      logger: log,
      async onFrame(tf) {
        if (!progress) {
          progress = createProgress(process.stderr, pipeline.stats().sourceFrames);
          if (cfg.annotate) annotator = createAnnotationWriter(cfg.annotate, pipeline.stats().sourceFps, cfg.ffmpegPath, camera);
        }
        if (tracksOut && !tracksOut.write(trackLine(tf) + '\n')) await new Promise<void>((r) => tracksOut.once('drain', () => r()));
        await annotator?.write(tf);
        progress.update(pipeline.stats().frames);
      },
    });
    log.info({ event: 'agent_finished', stats: pipeline.stats(), ...result, annotate: cfg.annotate, out: cfg.out }, 'agent finished');
    // A file's declared frame count only holds at its own rate (--fps resamples) and only when it ran to the end.
    const short = signal.aborted || cfg.fps !== undefined || isLive(cfg.source) ? null : truncation(pipeline.stats().frames, pipeline.stats().sourceFrames);
    if (short) {
      log.warn({ event: 'input_truncated', input: cfg.source, frames_read: short.read, frames_expected: short.declared }, 'input ended early');
      throw new AppError('INPUT_UNREADABLE', `${cfg.source}: input ended after ${short.read} of ${short.declared} frames (truncated or damaged file); the events of those frames were sent`);
    }
    return result;
  } finally {
    progress?.done();
    await pipeline.close();
    await annotator?.close();
    if (tracksOut) await new Promise<void>((r) => tracksOut.end(() => r()));
  }
}

/** Exit code 2: what the operator gave cannot be used (flags, files, environment, the video, the model). */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set(['BAD_REQUEST', 'CONFIG_INVALID', 'INPUT_UNREADABLE', 'MODEL_INVALID']);

async function main(): Promise<void> {
  const { config: cfg, runtime } = loadAgentConfig(process.argv.slice(2), process.env);
  const log = createLogger({ name: 'agent', level: cfg.logLevel });
  const ac = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
  await runAgent(cfg, runtime, log, ac.signal);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    const message = isAppError(err) ? err.message : (err as Error).stack ?? String(err);
    // Whatever failed, a camera URL's credentials are not printed (agent/source/redact.ts).
    console.error(`agent: ${redactCredentials(message)}`);
    process.exit(isAppError(err) && BAD_INPUT.has(err.code) ? 2 : 1);
  });
}
