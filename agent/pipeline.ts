/**
 * The vision core: source (ffmpeg) → motion gate / detect-every scheduling → detector (onnxruntime) → ByteTrack.
 * Emits one TrackedFrame per decoded frame, inferred or not.
 *
 * Frame.rgb ownership: every frame has its own buffer (the source never reuses one), so a consumer may keep a
 * reference after pulling the next frame; at ~1.2 MB per 640² frame, keep only what you need.
 *
 * Scheduling, per frame:
 *  - tracks alive (incl. unconfirmed/lost): run the model every `detectEvery`-th frame; between runs, report
 *    the Kalman-extrapolated boxes (the tracker steps at fps / detectEvery, so its lost buffer scales with it);
 *  - no track alive and motion gating on: run the model only when the frame moved against the last frame the
 *    model saw (Frigate's idea: an empty static scene costs a thumbnail diff, not an inference), and at least
 *    every `idleCheckS` seconds as a safety net for someone who walked in below the motion threshold.
 */
import { AppError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { createDetector, type Detector } from './detector/detector.js';
import { MotionGate, thumbnail } from './detector/motion.js';
import { resolveBinaries } from './source/binaries.js';
import { redactorFor } from './source/redact.js';
import type { RtspTransport } from './source/rtsp-options.js';
import { openSource, type StreamState, type VideoSource } from './source/video-source.js';
import { ByteTracker, type TrackerConfig } from './tracker/byte-tracker.js';
import type { TrackedFrame } from './types.js';

export interface PipelineOptions {
  /** Clip path or rtsp:// URL. */
  source: string;
  /** YOLOv8/YOLO11 ONNX file. */
  modelPath: string;
  /** Input size for a detector with dynamic axes (benchmarks); default: what the model says, else 640. */
  inputSize?: { width: number; height: number };
  /** Lowest detection score passed to the tracker (ByteTrack's low threshold). Default 0.1. */
  conf?: number;
  /** onnxruntime intra-op threads. Default 2. */
  threads?: number;
  /** Run the detector on every Nth frame and track in between. Default 1. */
  detectEvery?: number;
  /** Skip the model on still frames while no track is alive. Default true. */
  motionGate?: boolean;
  /** Files: pace at native fps. */
  realtime?: boolean;
  /** Files: timestamp of frame 0 (ms since epoch). Default now. */
  startTimeMs?: number;
  /** Override the probed frame rate. */
  fps?: number;
  logger?: Logger;
  signal?: AbortSignal;
  tracker?: Partial<TrackerConfig>;
  /** ffmpeg/ffprobe binaries; default the npm-installed ones (config.ts maps FFMPEG_PATH/FFPROBE_PATH here). */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Longest gap (s) between inferences on a still, empty scene. Default 2. */
  idleCheckS?: number;
  /** Wall clock (ms), for measured fps and live timestamps. */
  now?: () => number;
  /** RTSP: tcp, udp, or auto (TCP, then UDP when the server refuses TCP). Default auto. */
  rtspTransport?: RtspTransport;
}

export interface PipelineStats {
  frames: number;
  /** Frames the detector ran on. */
  inferred: number;
  /** Frames not inferred (detect-every + motion gate). */
  skipped: number;
  /** Of `skipped`, those skipped by the motion gate. */
  motionSkipped: number;
  /** Live frames dropped because processing fell behind. */
  dropped: number;
  /** Live RTP packets lost before decoding (SourceStats). */
  lostPackets: number;
  reconnects: number;
  /** Live outages (stream lost after frames had flowed) and their total gap in ms. */
  outages: number;
  gapMs: number;
  /** Measured processing rate, frames per wall-clock second. */
  fps: number;
  sourceFps: number;
  /** Frames in the file when the container says (undefined for live streams). */
  sourceFrames: number | undefined;
  /** Mean time of detector calls (preprocess + run + decode), ms. */
  inferMsMean: number;
  /** Confirmed track ids handed out so far. */
  tracks: number;
  sourceWidth: number;
  sourceHeight: number;
}

export interface Pipeline {
  frames(): AsyncIterable<TrackedFrame>;
  stats(): PipelineStats;
  close(): Promise<void>;
  /** RTSP: `fn` is told when the camera's stream goes live and when it is lost (heartbeat state). */
  onStreamState?(fn: (state: StreamState) => void): void;
}

export function createPipeline(opts: PipelineOptions): Pipeline {
  const detectEvery = opts.detectEvery ?? 1;
  if (!Number.isInteger(detectEvery) || detectEvery < 1) throw new AppError('CONFIG_INVALID', `detectEvery must be an integer ≥ 1, got ${opts.detectEvery}`);
  const log = opts.logger ?? silentLogger();
  const now = opts.now ?? Date.now;
  // The caller (config.ts) resolves FFMPEG_PATH/FFPROBE_PATH from the environment; absent, the npm binaries.
  const bins = resolveBinaries({ FFMPEG_PATH: opts.ffmpegPath, FFPROBE_PATH: opts.ffprobePath });
  const s = { frames: 0, inferred: 0, skipped: 0, motionSkipped: 0, inferMs: 0, firstMs: 0, lastMs: 0, sourceFps: 0, w: 0, h: 0, total: undefined as number | undefined };
  const ids = new Set<number>();
  let detector: Detector | undefined;
  let source: VideoSource | undefined;
  let closed = false;
  const listeners: ((state: StreamState) => void)[] = [];

  async function* frames(): AsyncGenerator<TrackedFrame> {
    detector = await createDetector({ modelPath: opts.modelPath, threads: opts.threads ?? 2, decode: { conf: opts.conf ?? 0.1 }, ...(opts.inputSize ? { inputSize: opts.inputSize } : {}) });
    const det = detector;
    try {
      source = await openSource({
        input: opts.source,
        inputWidth: det.inputWidth,
        inputHeight: det.inputHeight,
        letterboxAlign: det.spec.letterboxAlign,
        ...bins,
        realtime: opts.realtime ?? false,
        ...(opts.startTimeMs !== undefined ? { startTimeMs: opts.startTimeMs } : {}),
        ...(opts.fps !== undefined ? { fps: opts.fps } : {}),
        logger: log,
        now,
        ...(opts.rtspTransport !== undefined && { rtspTransport: opts.rtspTransport }),
        onState: (state) => listeners.forEach((fn) => fn(state)),
        ...(opts.signal !== undefined && { signal: opts.signal }),
      });
    } catch (err) {
      // Stopped while an unreachable camera was being retried: no frames, not a failure.
      if (opts.signal?.aborted) return;
      throw err;
    }
    const src = source;
    const onAbort = () => src.close();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) src.close();
    const fps = src.info.fps;
    Object.assign(s, { sourceFps: fps, w: src.info.width, h: src.info.height, total: src.kind === 'file' ? src.info.frames : undefined });
    const newTracker = () => new ByteTracker({ frameRate: fps / detectEvery, frameWidth: src.info.width, frameHeight: src.info.height, ...opts.tracker });
    let tracker = newTracker();
    let segment = 0;
    const newGate = () => (opts.motionGate === false ? undefined : new MotionGate());
    let gate = newGate();
    const idleFrames = Math.max(1, Math.round((opts.idleCheckS ?? 2) * fps));
    const { inputWidth: W, inputHeight: H } = det;
    let lastInferred = -Infinity;
    log.info({ source: redactorFor(opts.source)(opts.source), model: opts.modelPath, detectEvery, motionGate: !!gate, tracker: tracker.config }, 'pipeline started');
    try {
      for await (const frame of src.frames()) {
        if (s.frames === 0) s.firstMs = now();
        s.frames++;
        if ((frame.segment ?? 0) !== segment) {
          // After an outage nobody can be followed across the gap: fresh tracks, and the gate's reference is stale.
          segment = frame.segment ?? 0;
          tracker = newTracker();
          gate = newGate();
          lastInferred = -Infinity;
        }
        const since = frame.index - lastInferred;
        const active = tracker.hasActive();
        let infer: boolean;
        let thumb: Uint8Array | undefined;
        if (active || !gate) infer = since >= detectEvery;
        else {
          const m = gate.moved(frame.rgb, W, H);
          thumb = m.thumb;
          infer = m.moved || since >= idleFrames;
          if (!infer) s.motionSkipped++;
        }
        let out: TrackedFrame;
        if (infer) {
          const t0 = now();
          const dets = await det.detect(frame.rgb, frame.letterbox, frame.sourceWidth, frame.sourceHeight);
          s.inferMs += now() - t0;
          s.inferred++;
          lastInferred = frame.index;
          // A live stream's dropped frames leave gaps in the index: the tracker predicts across the whole gap.
          const u = tracker.update(dets, since / detectEvery);
          gate?.setReference(thumb ?? thumbnail(frame.rgb, W, H, gate.options.step));
          for (const t of u.tracks) {
            if (!ids.has(t.trackId)) log.debug({ trackId: t.trackId, frame: frame.index }, 'track confirmed');
            ids.add(t.trackId);
          }
          if (u.removed.length) log.debug({ removed: u.removed, frame: frame.index }, 'tracks removed');
          out = { frame, tracks: u.tracks, removed: u.removed, inferred: true };
        } else {
          s.skipped++;
          out = { frame, tracks: active ? tracker.peek(since / detectEvery) : [], removed: [], inferred: false };
        }
        s.lastMs = now();
        yield out;
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      src.close();
      log.info({ ...stats() }, 'pipeline finished');
    }
  }

  function stats(): PipelineStats {
    const src = source?.stats() ?? { dropped: 0, lostPackets: 0, reconnects: 0, outages: 0, gapMs: 0 };
    const wallS = (s.lastMs - s.firstMs) / 1000;
    return {
      frames: s.frames,
      inferred: s.inferred,
      skipped: s.skipped,
      motionSkipped: s.motionSkipped,
      dropped: src.dropped,
      lostPackets: src.lostPackets,
      reconnects: src.reconnects,
      outages: src.outages,
      gapMs: src.gapMs,
      fps: wallS > 0 ? (s.frames - 1) / wallS : 0,
      sourceFps: s.sourceFps,
      sourceFrames: s.total,
      inferMsMean: s.inferred ? s.inferMs / s.inferred : 0,
      tracks: ids.size,
      sourceWidth: s.w,
      sourceHeight: s.h,
    };
  }

  return {
    frames,
    stats,
    onStreamState: (fn) => void listeners.push(fn),
    async close() {
      if (closed) return;
      closed = true;
      source?.close();
      await detector?.close();
    },
  };
}
