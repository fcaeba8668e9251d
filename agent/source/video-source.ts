/**
 * Opens a clip file or an rtsp:// camera as a stream of letterboxed Frames; one handler per input kind:
 *  - file (here): probe, decode as fast as the consumer pulls (back-fill) or at native rate with `-re`
 *    (--realtime); timestamps are start time + frame index / fps.
 *  - rtsp (rtsp-source.ts): transport choice, retries with backoff, stall watchdog, wall-clock timestamps,
 *    frames thinned when behind, outages reported.
 */
import { existsSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { Frame } from '../types.js';
import { startDecoder, type Decoder } from './ffmpeg-decoder.js';
import { computeLetterbox, letterboxFilter, type LetterboxAlign } from './letterbox.js';
import { probe, type SourceInfo } from './probe.js';
import { openRtspSource } from './rtsp-source.js';
import type { RtspTransport } from './rtsp-options.js';

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
  /** RTSP only: RTP over TCP, UDP, or TCP then UDP when the server refuses TCP (default auto). */
  rtspTransport?: RtspTransport;
  /** RTSP only: a stream that delivers no frame for this long is reconnected (default 5000). */
  stallMs?: number;
  /** RTSP only: told when the stream goes live and when it is lost. */
  onState?: (state: StreamState) => void;
  /** RTSP only: stops the retries of a camera unreachable at start. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Clock for a file's default start time (a live frame's arrival is read on its decoder thread's wall clock). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A live stream's state: frames flowing, or not (connecting, or lost and reconnecting). */
export type StreamState = 'online' | 'offline';

export interface SourceStats {
  dropped: number;
  /** RTP packets lost on the way from the camera (live; the decoder's lostPackets across reconnections). */
  lostPackets: number;
  reconnects: number;
  /** Times a live stream that had delivered frames was lost. */
  outages: number;
  /** Total time (ms) without frames across those outages, up to the first frame after each. */
  gapMs: number;
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

export function openSource(o: SourceOptions): Promise<VideoSource> {
  return isLive(o.input) ? openRtspSource(o) : openFileSource(o);
}

async function openFileSource(o: SourceOptions): Promise<VideoSource> {
  const log = o.logger ?? silentLogger();
  const now = o.now ?? Date.now;
  if (!existsSync(o.input)) throw new AppError('INPUT_UNREADABLE', `${o.input}: file not found`);
  const probed = await probe(o.input, o.ffprobePath);
  const info: SourceInfo = o.fps ? { ...probed, fps: o.fps } : probed;
  const lb = computeLetterbox(info.width, info.height, o.inputWidth, o.inputHeight, o.letterboxAlign);
  const letterbox = { scale: lb.scale, padX: lb.padX, padY: lb.padY, inputWidth: lb.inputWidth, inputHeight: lb.inputHeight };
  const startMs = o.startTimeMs ?? now();
  let decoder: Decoder | undefined;
  let closed = false;
  log.info({ input: o.input, kind: 'file', ...info, letterbox }, 'source opened');

  async function* frames(): AsyncGenerator<Frame> {
    if (closed) return;
    decoder = startDecoder({
      input: o.input,
      ffmpegPath: o.ffmpegPath,
      inputOptions: o.realtime ? ['-re'] : [],
      filter: letterboxFilter(lb),
      fps: info.fps,
      frameBytes: o.inputWidth * o.inputHeight * 3,
      capacity: o.queueFrames ?? 4,
      overflow: 'pause',
    });
    let index = 0;
    try {
      for (let rgb = await decoder.queue.next(); rgb; rgb = await decoder.queue.next()) {
        const timestampMs = startMs + Math.round((index * 1000) / info.fps);
        yield { index: index++, timestampMs, sourceWidth: info.width, sourceHeight: info.height, rgb, letterbox };
      }
      if (decoder.queue.pendingBytes > 0) log.warn({ input: o.input, bytes: decoder.queue.pendingBytes }, 'stream ended inside a frame');
    } finally {
      decoder.kill();
    }
  }

  return {
    kind: 'file',
    info,
    frames,
    stats: () => ({ dropped: 0, lostPackets: 0, reconnects: 0, outages: 0, gapMs: 0 }),
    decoderPid: () => decoder?.pid(),
    close() {
      closed = true;
      decoder?.kill();
    },
  };
}
