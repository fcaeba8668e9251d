/**
 * A live stream's decoder on its own thread. ffmpeg is single-threaded where it matters here: it reads the camera's
 * socket, decodes, and writes each raw frame (1.2 MB at 640²) to its stdout, whose socket buffer holds a fraction
 * of a frame. onnxruntime-node runs a model synchronously on the main thread, so while the main thread infers
 * (100–300 ms a frame on a busy box) nobody reads that stdout, ffmpeg blocks writing, and stops reading the
 * camera: over UDP the kernel's receive buffer overflows and packets are lost (frames smeared until the next key
 * frame, door crossings missed), over TCP the backlog moves into the camera. A thread that does nothing but read
 * keeps ffmpeg moving; when the main thread falls behind, frames are thinned here (frame-queue.ts) and counted,
 * with at most `capacity` frames held.
 */
import { Worker } from 'node:worker_threads';
import { AppError, ERROR_CODES, type ErrorCode } from '../../common/errors.js';
import type { Decoder, DecoderOptions, FrameSource } from './ffmpeg-decoder.js';

/** DecoderOptions as they cross into the thread (no functions): the redactor is rebuilt there from the input. */
export type ThreadDecoderOptions = Omit<DecoderOptions, 'redact' | 'now'> & { redactInput: boolean };
export type ThreadRequest = { t: 'next' } | { t: 'kill' };
export type ThreadReply =
  | { t: 'pid'; pid: number }
  | { t: 'frame'; buf: ArrayBuffer; arrivalMs: number; sequence: number; dropped: number; lost: number }
  | { t: 'end'; dropped: number; lost: number }
  | { t: 'error'; code: string; message: string; dropped: number; lost: number };

/**
 * Same contract as startDecoder (which runs inside the thread), for live streams: `redact` is only asked whether
 * to redact (the thread masks the input URL's credentials itself), and arrival times are the wall clock.
 */
export function startThreadedDecoder(o: DecoderOptions): Decoder {
  const { redact, now: _now, ...rest } = o;
  const data: ThreadDecoderOptions = { ...rest, redactInput: redact !== undefined };
  const worker = new Worker(new URL('./decoder-thread-boot.mjs', import.meta.url), { workerData: data });
  let pid: number | undefined;
  let dropped = 0;
  let lost = 0;
  let lastArrivalMs = 0;
  let lastSequence = -1;
  let outcome: 'end' | Error | undefined;
  let waiter: { resolve(b: Buffer | undefined): void; reject(e: unknown): void } | undefined;
  const label = o.label ?? o.input;

  const settle = (r: 'end' | Error) => {
    outcome ??= r;
    const w = waiter;
    waiter = undefined;
    if (!w) return;
    if (outcome === 'end') w.resolve(undefined);
    else w.reject(outcome);
  };
  worker.on('message', (m: ThreadReply) => {
    if (m.t === 'pid') return void (pid = m.pid);
    dropped = m.dropped;
    lost = m.lost;
    if (m.t === 'frame') {
      lastArrivalMs = m.arrivalMs;
      lastSequence = m.sequence;
      const w = waiter;
      waiter = undefined;
      return w?.resolve(Buffer.from(m.buf));
    }
    settle(m.t === 'end' ? 'end' : new AppError(m.code in ERROR_CODES ? (m.code as ErrorCode) : 'INPUT_UNREADABLE', m.message));
    // ffmpeg is done: let the thread end too.
    worker.postMessage({ t: 'kill' } satisfies ThreadRequest);
  });
  // The thread itself failing (it should not) is the decoder failing: the caller reconnects as for any failure.
  worker.on('error', (err) => settle(new AppError('INPUT_UNREADABLE', `${label}: decoder thread failed (${redact ? redact(err.message) : err.message})`)));
  worker.on('exit', () => settle(new AppError('INPUT_UNREADABLE', `${label}: decoder thread exited`)));

  const queue: FrameSource = {
    next() {
      if (outcome === 'end') return Promise.resolve(undefined);
      if (outcome) return Promise.reject(outcome);
      return new Promise<Buffer | undefined>((resolve, reject) => {
        waiter = { resolve, reject };
        worker.postMessage({ t: 'next' } satisfies ThreadRequest);
      });
    },
    get dropped() {
      return dropped;
    },
    get lastArrivalMs() {
      return lastArrivalMs;
    },
    get lastSequence() {
      return lastSequence;
    },
    pendingBytes: 0,
  };
  let killed = false;
  return {
    queue,
    pid: () => pid,
    lostPackets: () => lost,
    kill() {
      if (killed) return;
      killed = true;
      settle('end');
      // Killed here, synchronously, so that no ffmpeg outlives an agent that exits right after; the thread also
      // kills it (a pid not yet known) and then ends.
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      worker.postMessage({ t: 'kill' } satisfies ThreadRequest);
      setTimeout(() => void worker.terminate(), 2000).unref();
    },
  };
}
