/**
 * One ffmpeg process (through fluent-ffmpeg): decode the input, letterbox it to the model size in C, and pipe
 * raw RGB24 frames into a FrameQueue. ffmpeg runs as its own process, so decoding overlaps inference; the queue
 * holds a few frames and pauses the pipe (files) or drops the oldest (live) when inference falls behind.
 */
import ffmpeg from 'fluent-ffmpeg';
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { FrameQueue } from './frame-queue.js';
import { lastLines } from './probe.js';

export interface DecoderOptions {
  input: string;
  ffmpegPath: string;
  inputOptions: string[];
  /** -vf chain (letterbox). */
  filter: string;
  /**
   * Output frame rate: constant-rate output makes frame index / fps the frame's pts. `undefined` passes the
   * frames through as they come.
   */
  fps: number | undefined;
  frameBytes: number;
  capacity: number;
  overflow: 'pause' | 'thin';
  /** 'thin': the longest stretch of producer frames the queue may span (FrameQueue). */
  maxSpan?: number;
  /** How the input is named in errors (a camera URL without its credentials). Default `input`. */
  label?: string;
  /** Applied to ffmpeg's stderr before it goes into an error (credential redaction). */
  redact?: (text: string) => string;
  /**
   * Live streams: fail when no frame arrives for this long. A camera or relay that stops sending often keeps the
   * RTSP session (and its RTCP reports) alive, so ffmpeg's own socket timeout never fires.
   */
  stallMs?: number;
  /** Live streams: the same for the first frame (connection, stream analysis, first key frame). */
  firstFrameMs?: number;
  /** Clock for frame arrival times. */
  now?: () => number;
}

/** Where a consumer reads whole frames from: a FrameQueue, or its proxy across a thread (threaded-decoder.ts). */
export interface FrameSource {
  next(): Promise<Buffer | undefined>;
  /** Frames dropped because the consumer fell behind (live). */
  readonly dropped: number;
  readonly lastArrivalMs: number;
  readonly lastSequence: number;
  readonly pendingBytes: number;
}

export interface Decoder {
  queue: FrameSource;
  /**
   * RTP packets the stream lost before ffmpeg (its "RTP: missed N packets"): over UDP the network drops them and
   * ffmpeg conceals the damage, so frames keep coming with smears and the count is the only trace.
   */
  lostPackets(): number;
  /** ffmpeg's pid once spawned (for CPU accounting in the benchmark). */
  pid(): number | undefined;
  kill(): void;
}

interface FfmpegProcess {
  exitCode: number | null;
  signalCode: NodeJS.Signals | null;
  once(event: 'exit', fn: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

/**
 * fluent-ffmpeg reports "Output stream closed" when our pipe closes more than 20 ms before it sees ffmpeg exit,
 * which happens under load at the normal end of a file (lib/processor.js says so). When every byte has arrived,
 * the exit status decides: 0, or the SIGTERM fluent-ffmpeg sends after that error, is a normal end.
 */
export function endedCleanly(proc: FfmpegProcess | undefined, done: (ok: boolean) => void): void {
  const judge = (code: number | null, signal: NodeJS.Signals | null) => done(code === 0 || signal === 'SIGTERM');
  if (!proc) return done(false);
  if (proc.exitCode !== null || proc.signalCode !== null) return judge(proc.exitCode, proc.signalCode);
  proc.once('exit', judge);
}

/** Packets an ffmpeg stderr line reports lost ("[rtsp @ 0x…] RTP: missed 12 packets"); 0 for any other line. */
export function missedPackets(line: string): number {
  const m = /RTP: missed (\d+) packets?/.exec(line);
  return m ? Number(m[1]) : 0;
}

export function startDecoder(o: DecoderOptions): Decoder {
  const label = o.label ?? o.input;
  const redact = o.redact ?? ((t: string) => t);
  let killed = false;
  let streamEnded = false;
  let lost = 0;
  let stream: Readable | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const queue = new FrameQueue({
    frameBytes: o.frameBytes,
    capacity: o.capacity,
    overflow: o.overflow,
    ...(o.maxSpan !== undefined && { maxSpan: o.maxSpan }),
    onPause: () => stream?.pause(),
    onResume: () => stream?.resume(),
    ...(o.now && { now: o.now }),
  });
  const cmd = ffmpeg(o.input)
    .setFfmpegPath(o.ffmpegPath)
    // `repeat`: ffmpeg would fold identical lines in a row ("RTP: missed 1 packets" at every loss) into one.
    .inputOptions(['-nostdin', '-hide_banner', '-loglevel', 'repeat+info', '-threads', '1', ...o.inputOptions])
    .outputOptions(['-an', '-sn', '-filter_threads', '1', '-vf', o.filter, ...(o.fps ? ['-r', String(o.fps)] : ['-vsync', '0']), '-pix_fmt', 'rgb24', '-f', 'rawvideo']);
  const stop = () => {
    clearTimeout(watchdog);
    if (killed) return false;
    killed = true;
    cmd.kill('SIGKILL');
    return true;
  };
  let lastDataMs = Date.now();
  const arm = (ms: number | undefined) => {
    if (ms === undefined) return;
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      // Timers run before I/O in an event-loop turn: after a long busy stretch, data may be waiting unread. Judge
      // once pending reads have been delivered (setImmediate runs after the poll phase).
      setImmediate(() => {
        if (killed) return;
        if (Date.now() - lastDataMs < ms) return arm(ms - (Date.now() - lastDataMs));
        if (stop()) queue.fail(new AppError('INPUT_UNREADABLE', `${label}: no frame for ${(ms / 1000).toFixed(0)} s (stream stalled)`));
      });
    }, ms);
    watchdog.unref();
  };
  const fail = (err: Error, stderr: string | null) => {
    clearTimeout(watchdog);
    const why = redact(lastLines(stderr || err.message));
    queue.fail(new AppError('INPUT_UNREADABLE', `${label}: ffmpeg failed (${why})`, undefined, o.redact ? undefined : { cause: err }));
  };
  cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
    if (killed) return queue.end();
    if (streamEnded && err.message === 'Output stream closed') {
      const proc = (cmd as unknown as { ffmpegProc?: FfmpegProcess }).ffmpegProc;
      return endedCleanly(proc, (ok) => (ok ? queue.end() : fail(err, stderr)));
    }
    fail(err, stderr);
  });
  cmd.on('stderr', (line: string) => {
    lost += missedPackets(line);
  });
  cmd.on('end', () => {
    clearTimeout(watchdog);
    queue.end();
  });
  arm(o.firstFrameMs);
  stream = cmd.pipe() as Readable;
  stream.on('data', (chunk: Buffer) => {
    lastDataMs = Date.now();
    arm(o.stallMs);
    queue.push(chunk);
  });
  stream.on('end', () => (streamEnded = true));
  return {
    queue,
    pid: () => (cmd as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid,
    lostPackets: () => lost,
    kill() {
      if (stop()) queue.end();
    },
  };
}
