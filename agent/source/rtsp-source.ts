/**
 * An rtsp:// camera as a stream of letterboxed Frames, built for cameras that come and go:
 *  - transport: TCP interleaved, UDP, or auto (TCP first, UDP when the server refuses TCP with 461), settled on
 *    the first answer and logged once;
 *  - unreachable at start: the probe is retried with backoff until it answers or the agent is stopped;
 *  - lost later (ffmpeg fails, or no frame for `stallMs`): ffmpeg is restarted with backoff; the outage is
 *    counted, its gap logged when frames return, and frames after it carry a new `segment` number so the
 *    tracker and behaviour start afresh instead of joining people across the gap;
 *  - pacing: frames come at the camera's rate, stamped with the arrival time of the connection's first frame plus
 *    their offset in the camera's clock (so jitter and backlogs do not bend dwell times); ffmpeg is read on a thread
 *    of its own, and when the consumer falls behind, queued frames are thinned and counted (8 frames of memory,
 *    never more than 3 s behind), their gaps kept in the frame index and timestamps;
 *  - credentials in the URL never reach a log line or an error (redact.ts).
 */
import { AppError, isAppError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import type { Frame } from '../types.js';
import type { Decoder } from './ffmpeg-decoder.js';
import { computeLetterbox, letterboxFilter } from './letterbox.js';
import { probe, type SourceInfo } from './probe.js';
import { redactorFor } from './redact.js';
import { rtspInputOptions, transportRefused } from './rtsp-options.js';
import { startThreadedDecoder } from './threaded-decoder.js';
import { backoffMs, type SourceOptions, type StreamState, type VideoSource } from './video-source.js';

/** ffmpeg's socket I/O timeout: a camera that accepts the connection and then says nothing. */
const SOCKET_TIMEOUT_MS = 5000;
/** First frame of a (re)connection: RTSP handshake, stream analysis and the first key frame. */
const FIRST_FRAME_MS = 20_000;

export async function openRtspSource(o: SourceOptions): Promise<VideoSource> {
  const log = (o.logger ?? silentLogger()).child({ source: 'rtsp' });
  const redact = redactorFor(o.input);
  const camera = redact(o.input);
  const stallMs = o.stallMs ?? 5000;
  let closed = false;
  let decoder: Decoder | undefined;
  let wake: (() => void) | undefined;
  const close = () => {
    closed = true;
    decoder?.kill();
    wake?.();
  };
  o.signal?.addEventListener('abort', close, { once: true });
  if (o.signal?.aborted) closed = true;
  // Interruptible wait: close() ends a backoff at once.
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
      void o.sleep?.(ms).then(done);
    });
  const safeMessage = (err: unknown) => redact(err instanceof Error ? err.message : String(err));

  let transport: 'tcp' | 'udp' | undefined = o.rtspTransport === 'udp' || o.rtspTransport === 'tcp' ? o.rtspTransport : undefined;
  const probeWith = (t: 'tcp' | 'udp') => probe(o.input, o.ffprobePath, rtspInputOptions(o.ffprobePath, t, SOCKET_TIMEOUT_MS), true);

  /** One probe attempt under the transport policy; settles `transport` on the first answer. */
  async function probeOnce(): Promise<SourceInfo> {
    if (transport) return probeWith(transport);
    try {
      const info = await probeWith('tcp');
      transport = 'tcp';
      log.info({ event: 'rtsp_transport', camera, transport, requested: 'auto' }, 'rtsp transport: tcp (auto: tried first)');
      return info;
    } catch (err) {
      if (!transportRefused(err instanceof Error ? err.message : '')) throw err;
      const info = await probeWith('udp');
      transport = 'udp';
      log.info({ event: 'rtsp_transport', camera, transport, requested: 'auto' }, 'rtsp transport: udp (the server refused tcp)');
      return info;
    }
  }

  let info: SourceInfo | undefined;
  for (let attempt = 0; !info; attempt++) {
    if (closed) throw new AppError('INPUT_UNREADABLE', `${camera}: stopped before the camera answered`);
    try {
      info = await probeOnce();
    } catch (err) {
      if (isAppError(err) && err.code !== 'INPUT_UNREADABLE') throw err;
      const delayMs = backoffMs(attempt);
      log.warn({ event: 'camera_unreachable', camera, attempt: attempt + 1, delayMs, err: safeMessage(err) }, 'camera unreachable at start; retrying');
      await pause(delayMs);
    }
  }
  if (o.rtspTransport === 'tcp' || o.rtspTransport === 'udp') log.info({ event: 'rtsp_transport', camera, transport, requested: o.rtspTransport }, `rtsp transport: ${transport}`);
  // Over RTP ffprobe estimates the rate from a few packets (10.17 for a 10 fps camera); cameras run at whole or
  // half rates, so the nearest half is what the tracker and the dwell timers are told.
  info = { ...info, fps: o.fps ?? Math.max(0.5, Math.round(info.fps * 2) / 2) };
  const lb = computeLetterbox(info.width, info.height, o.inputWidth, o.inputHeight, o.letterboxAlign);
  const letterbox = { scale: lb.scale, padX: lb.padX, padY: lb.padY, inputWidth: lb.inputWidth, inputHeight: lb.inputHeight };
  const stats = { reconnects: 0, outages: 0, gapMs: 0, droppedBefore: 0, lostBefore: 0 };
  log.info({ input: camera, kind: 'rtsp', transport, ...info, letterbox }, 'source opened');
  const src = info;

  // On its own thread: the main thread's synchronous inference must never stop ffmpeg from reading the camera.
  const start = (): Decoder =>
    startThreadedDecoder({
      input: o.input,
      label: camera,
      redact,
      ffmpegPath: o.ffmpegPath,
      // Without these ffmpeg analyses the stream for 5 s at each (re)connection, then bursts 5 s of stale frames.
      inputOptions: [...rtspInputOptions(o.ffmpegPath, transport!, SOCKET_TIMEOUT_MS), '-fflags', 'nobuffer', '-analyzeduration', '1000000'],
      filter: letterboxFilter(lb),
      // Constant-rate output: frame i of a connection is i / fps after its first frame in the camera's own clock
      // (RTP timestamps), whatever the delivery jitter or a backlog on a busy box does to arrival times.
      fps: src.fps,
      frameBytes: o.inputWidth * o.inputHeight * 3,
      // Behind, frames are thinned evenly rather than cut from the front: a stall of the agent (a busy box
      // descheduling it for a second) then costs sparser frames over that second, not a second-long hole in which
      // a person can cross the door line unseen. 8 frames (10 MB at 640²) and never more than 3 s behind.
      capacity: o.queueFrames ?? 8,
      overflow: 'thin',
      maxSpan: Math.round(3 * src.fps),
      stallMs,
      firstFrameMs: FIRST_FRAME_MS,
    });

  let state: StreamState = 'offline';
  const setState = (s: StreamState) => {
    if (s === state) return;
    state = s;
    o.onState?.(s);
  };

  async function* frames(): AsyncGenerator<Frame> {
    let index = 0;
    let segment = 0;
    let failures = 0;
    // Arrival times (wall clock) bound a gap: the frames' own timestamps are in the camera's clock.
    let lastArrivalMs: number | undefined;
    let lostAtMs: number | undefined;
    let connectedAtMs = 0;
    try {
      while (!closed) {
        if (decoder) {
          stats.droppedBefore += decoder.queue.dropped;
          stats.lostBefore += decoder.lostPackets();
        }
        decoder = start();
        let got = 0;
        let error: unknown;
        // The connection's frame count at its first frame and at the previous one: frames dropped while the
        // consumer was behind leave gaps in it, which the index and the timestamps keep.
        let firstSeq = 0;
        let prevSeq = 0;
        try {
          for (let rgb = await decoder.queue.next(); rgb; rgb = await decoder.queue.next()) {
            const seq = decoder.queue.lastSequence;
            if (got === 0) {
              connectedAtMs = decoder.queue.lastArrivalMs;
              firstSeq = seq;
            } else index += Math.max(0, seq - prevSeq - 1);
            prevSeq = seq;
            const timestampMs = connectedAtMs + Math.round(((seq - firstSeq) * 1000) / src.fps);
            if (got++ === 0) {
              failures = 0;
              if (lostAtMs !== undefined) {
                const gapMs = decoder.queue.lastArrivalMs - lostAtMs;
                stats.gapMs += gapMs;
                segment++;
                lostAtMs = undefined;
                log.info({ event: 'stream_recovered', camera, gap_ms: gapMs, outages: stats.outages, reconnects: stats.reconnects }, `camera stream back after ${(gapMs / 1000).toFixed(1)} s`);
              }
              setState('online');
            }
            lastArrivalMs = decoder.queue.lastArrivalMs;
            yield { index: index++, timestampMs, sourceWidth: src.width, sourceHeight: src.height, rgb, letterbox, segment };
          }
        } catch (err) {
          error = err;
        }
        if (closed) return;
        if (got > 0) {
          stats.outages++;
          lostAtMs = lastArrivalMs;
          setState('offline');
          log.warn({ event: 'stream_lost', camera, outages: stats.outages, err: error ? safeMessage(error) : 'stream ended' }, 'camera stream lost; reconnecting');
        } else failures++;
        stats.reconnects++;
        const delayMs = backoffMs(failures);
        log.info({ event: 'stream_reconnect', camera, reconnects: stats.reconnects, delayMs, err: got > 0 ? undefined : error ? safeMessage(error) : 'no frame' }, 'reconnecting to the camera');
        await pause(delayMs);
      }
    } finally {
      decoder?.kill();
      o.signal?.removeEventListener('abort', close);
    }
  }

  return {
    kind: 'rtsp',
    info: src,
    frames,
    stats: () => ({
      dropped: stats.droppedBefore + (decoder?.queue.dropped ?? 0),
      lostPackets: stats.lostBefore + (decoder?.lostPackets() ?? 0),
      reconnects: stats.reconnects,
      outages: stats.outages,
      gapMs: stats.gapMs,
    }),
    decoderPid: () => decoder?.pid(),
    close,
  };
}
