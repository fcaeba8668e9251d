/**
 * Opens a clip file or an rtsp:// camera as a stream of letterboxed Frames (one folder per input kind would be
 * two 30-line files; the difference is a handful of options, kept side by side here):
 *  - file: probe, decode as fast as the consumer pulls (back-fill) or at native rate with `-re` (--realtime);
 *    timestamps are start time + frame index / fps.
 *  - rtsp: TCP transport, socket timeout, wall-clock timestamps, drop-oldest when behind, and reconnection with
 *    exponential backoff when the stream ends or fails; `reconnects` and `dropped` are reported for the heartbeat.
 */
import { existsSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { Frame } from '../types.js';
import { startDecoder, type Decoder } from './ffmpeg-decoder.js';
import { computeLetterbox, letterboxFilter, type LetterboxAlign } from './letterbox.js';
import { probe, type SourceInfo } from './probe.js';

export interface SourceOptions {
  /** Clip path or rtsp:// URL. */
  input: string;
  /** Model input size the frames are letterboxed to. */
  inputWidth: number;
  inputHeight: number;
  /** Where the picture sits in the padded input (the detector's `spec.letterboxAlign`); default centred. */
  letterboxAlign?: LetterboxAlign;
  ffmpegPath: string;
  ffprobePath: string;
  /** Files only: pace at native fps like a live camera. */
  realtime?: boolean;
  /** Files only: wall-clock time of frame 0 (ms since epoch); default now. */
  startTimeMs?: number;
  /** Overrides the probed frame rate. */
  fps?: number;
  /** Frames decoded ahead of the consumer. */
  queueFrames?: number;
  logger?: Logger;
  /** Clock for live timestamps and the default start time. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SourceStats {
  dropped: number;
  reconnects: number;
}

export interface VideoSource {
  readonly kind: 'file' | 'rtsp';
  readonly info: SourceInfo;
  frames(): AsyncGenerator<Frame>;
  stats(): SourceStats;
  /** ffmpeg's current pid (benchmark CPU accounting). */
  decoderPid(): number | undefined;
  close(): void;
}

export function isLive(input: string): boolean {
  return /^rtsps?:\/\//i.test(input);
}

/** Reconnect delay after `attempt` consecutive failures: 0.5 s doubling, capped at 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, attempt));
}

const RTSP_OPTIONS = ['-rtsp_transport', 'tcp', '-stimeout', '5000000'];

export async function openSource(o: SourceOptions): Promise<VideoSource> {
  const live = isLive(o.input);
  const log = o.logger ?? silentLogger();
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  if (!live && !existsSync(o.input)) throw new AppError('INPUT_UNREADABLE', `${o.input}: file not found`);
  const probed = await probe(o.input, o.ffprobePath, live ? RTSP_OPTIONS : []);
  const info: SourceInfo = o.fps ? { ...probed, fps: o.fps } : probed;
  const lb = computeLetterbox(info.width, info.height, o.inputWidth, o.inputHeight, o.letterboxAlign);
  const letterbox = { scale: lb.scale, padX: lb.padX, padY: lb.padY, inputWidth: lb.inputWidth, inputHeight: lb.inputHeight };
  const startMs = o.startTimeMs ?? now();
  const frameBytes = o.inputWidth * o.inputHeight * 3;
  const stats = { reconnects: 0 };
  let droppedBefore = 0;
  let decoder: Decoder | undefined;
  let closed = false;
  log.info({ input: o.input, kind: live ? 'rtsp' : 'file', ...info, letterbox }, 'source opened');

  const start = (): Decoder =>
    startDecoder({
      input: o.input,
      ffmpegPath: o.ffmpegPath,
      inputOptions: live ? RTSP_OPTIONS : o.realtime ? ['-re'] : [],
      filter: letterboxFilter(lb),
      fps: info.fps,
      frameBytes,
      capacity: o.queueFrames ?? 4,
      overflow: live ? 'drop-oldest' : 'pause',
    });

  async function* frames(): AsyncGenerator<Frame> {
    let index = 0;
    let failures = 0;
    try {
      for (;;) {
        if (decoder) droppedBefore += decoder.queue.dropped;
        decoder = start();
        let got = 0;
        let error: unknown;
        try {
          for (let rgb = await decoder.queue.next(); rgb; rgb = await decoder.queue.next()) {
            got++;
            failures = 0;
            const timestampMs = live ? now() : startMs + Math.round((index * 1000) / info.fps);
            yield { index: index++, timestampMs, sourceWidth: info.width, sourceHeight: info.height, rgb, letterbox };
          }
        } catch (err) {
          error = err;
        }
        if (decoder.queue.pendingBytes > 0) log.warn({ input: o.input, bytes: decoder.queue.pendingBytes }, 'stream ended inside a frame');
        if (closed) return;
        if (!live) {
          if (error) throw error;
          return;
        }
        if (got === 0) failures++;
        stats.reconnects++;
        const delay = backoffMs(failures);
        log.warn({ input: o.input, err: error ? (error as Error).message : 'stream ended', reconnects: stats.reconnects, delayMs: delay }, 'stream lost, reconnecting');
        await sleep(delay);
        if (closed) return;
      }
    } finally {
      decoder?.kill();
    }
  }

  return {
    kind: live ? 'rtsp' : 'file',
    info,
    frames,
    stats: () => ({ dropped: droppedBefore + (decoder?.queue.dropped ?? 0), reconnects: stats.reconnects }),
    decoderPid: () => decoder?.pid(),
    close() {
      closed = true;
      decoder?.kill();
    },
  };
}
