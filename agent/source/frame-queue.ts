/**
 * Cuts ffmpeg's rawvideo byte stream into whole frames and queues them between the decoder process and the
 * consumer. Each frame gets its own Buffer (consumers may keep a reference). Files apply backpressure (pause the
 * pipe when `capacity` frames wait, so ffmpeg decodes a few frames ahead of inference and then blocks); live
 * streams cannot be paused without falling behind the camera, so they drop frames and count them ('thin'): the
 * frame whose neighbours are closest, so that a stall of the consumer thins the queued stretch of time evenly
 * instead of cutting a hole in it as long as the stall; the oldest once the queue spans more than `maxSpan`.
 */
export interface FrameQueueOptions {
  frameBytes: number;
  /** Frames buffered before pausing (file) or dropping (live). */
  capacity: number;
  /** 'pause' for files, 'thin' for live streams. */
  overflow: 'pause' | 'thin';
  /**
   * 'thin': the most producer frames between the oldest and the newest queued one; beyond it the oldest goes, so
   * the consumer is never further behind than this. Default 4 × capacity.
   */
  maxSpan?: number;
  onPause?: () => void;
  onResume?: () => void;
  /** Clock for each frame's arrival time (live timestamps: when the camera's frame reached us, not when we got to it). */
  now?: () => number;
}

export class FrameQueue {
  private readonly frames: Buffer[] = [];
  private readonly arrivals: number[] = [];
  private readonly sequences: number[] = [];
  private produced = 0;
  private partial: Buffer;
  private filled = 0;
  private ended = false;
  private error: Error | undefined;
  private waiter: (() => void) | undefined;
  private paused = false;
  dropped = 0;
  /** Arrival time (ms) of the frame `next()` returned last. */
  lastArrivalMs = 0;
  /**
   * Position of that frame in the producer's stream (0 = its first frame), dropped frames included: a consumer
   * sees a gap as a jump, so frame times and detect-every scheduling stay in the camera's frame count.
   */
  lastSequence = -1;

  constructor(private readonly opts: FrameQueueOptions) {
    this.partial = Buffer.allocUnsafe(opts.frameBytes);
  }

  /** Feeds raw bytes from the pipe. */
  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, this.opts.frameBytes - this.filled);
      chunk.copy(this.partial, this.filled, off, off + n);
      this.filled += n;
      off += n;
      if (this.filled === this.opts.frameBytes) {
        this.enqueue(this.partial);
        this.partial = Buffer.allocUnsafe(this.opts.frameBytes);
        this.filled = 0;
      }
    }
  }

  /** The producer finished; a trailing partial frame (a cut-off stream) is discarded. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(err: Error): void {
    this.error = err;
    this.ended = true;
    this.wake();
  }

  /** Bytes of an incomplete trailing frame (for a warning on end). */
  get pendingBytes(): number {
    return this.filled;
  }

  /** Next whole frame, or undefined at the end; throws the producer's error once the queue is empty. */
  async next(): Promise<Buffer | undefined> {
    for (;;) {
      const f = this.frames.shift();
      if (f) {
        this.lastArrivalMs = this.arrivals.shift() ?? 0;
        this.lastSequence = this.sequences.shift() ?? this.lastSequence + 1;
        if (this.paused && this.frames.length <= this.opts.capacity / 2) {
          this.paused = false;
          this.opts.onResume?.();
        }
        return f;
      }
      if (this.error) throw this.error;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private enqueue(frame: Buffer): void {
    this.frames.push(frame);
    this.arrivals.push(this.opts.now?.() ?? 0);
    this.sequences.push(this.produced++);
    if (this.frames.length > this.opts.capacity) {
      if (this.opts.overflow === 'thin') this.drop(thinIndex(this.sequences, this.opts.maxSpan ?? 4 * this.opts.capacity));
      else if (!this.paused) {
        this.paused = true;
        this.opts.onPause?.();
      }
    }
    this.wake();
  }

  private drop(i: number): void {
    this.frames.splice(i, 1);
    this.arrivals.splice(i, 1);
    this.sequences.splice(i, 1);
    this.dropped++;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

/**
 * Which queued frame to drop when thinning (`seqs`: producer numbers, oldest first, at least 3): the oldest when
 * the queue spans more than `maxSpan` frames, else the inner frame whose neighbours are closest (the oldest such),
 * so the frames kept stay as evenly spread over the queued time as they can. The newest is always kept.
 */
export function thinIndex(seqs: readonly number[], maxSpan: number): number {
  const n = seqs.length;
  if (n < 3 || seqs[n - 1]! - seqs[0]! > maxSpan) return 0;
  let best = 1;
  for (let i = 2; i < n - 1; i++) if (seqs[i + 1]! - seqs[i - 1]! < seqs[best + 1]! - seqs[best - 1]!) best = i;
  return best;
}
