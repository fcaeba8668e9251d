/**
 * The body of a live decoder's thread (threaded-decoder.ts): runs one ffmpeg (startDecoder) and keeps its stdout
 * drained into a bounded, thinning FrameQueue whatever the main thread is doing, and hands frames over one at a
 * time on request, their memory transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../../common/errors.js';
import { startDecoder } from './ffmpeg-decoder.js';
import { redactorFor } from './redact.js';
import type { ThreadRequest, ThreadReply, ThreadDecoderOptions } from './threaded-decoder.js';

const port = parentPort!;
const o = workerData as ThreadDecoderOptions;
const { redactInput, ...rest } = o;
// The arrival clock is this thread's: a frame is stamped when its last byte is read, not when the main thread asks.
const decoder = startDecoder({ ...rest, ...(redactInput && { redact: redactorFor(o.input) }), now: Date.now });
const post = (m: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

// fluent-ffmpeg spawns after a tick or two: tell the main thread the pid once there is one (CPU accounting, and
// so that it can kill ffmpeg itself, synchronously, at shutdown).
const pidTimer = setInterval(() => {
  const pid = decoder.pid();
  if (pid === undefined) return;
  clearInterval(pidTimer);
  post({ t: 'pid', pid });
}, 10);

port.on('message', (m: ThreadRequest) => {
  if (m.t === 'kill') {
    clearInterval(pidTimer);
    decoder.kill();
    port.close();
    return;
  }
  const q = decoder.queue;
  q.next().then(
    (buf) => {
      if (!buf) return post({ t: 'end', dropped: q.dropped, lost: decoder.lostPackets() });
      // A frame owns its ArrayBuffer (FrameQueue allocates each whole): transfer it; anything else is copied.
      const own = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;
      const ab = (own ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) as ArrayBuffer;
      post({ t: 'frame', buf: ab, arrivalMs: q.lastArrivalMs, sequence: q.lastSequence, dropped: q.dropped, lost: decoder.lostPackets() }, [ab]);
    },
    (err: unknown) => post({ t: 'error', code: isAppError(err) ? err.code : 'INPUT_UNREADABLE', message: err instanceof Error ? err.message : String(err), dropped: q.dropped, lost: decoder.lostPackets() }),
  );
});
