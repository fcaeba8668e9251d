import type { Timers } from './timers.js';

export interface BatcherOptions<T> {
  /** Largest batch (events); a full batch is emitted at once. */
  maxItems: number;
  /** Longest time (ms) the first item of a batch waits before the batch is emitted. */
  maxWaitMs: number;
  timers: Timers;
  onBatch(items: T[]): void;
}

/**
 * Pure batching core: groups items into batches of at most `maxItems`, emitting a partial batch `maxWaitMs`
 * after its first item arrived ("max 500 events or 1 s, whichever first").
 */
export function createBatcher<T>(opts: BatcherOptions<T>) {
  if (!Number.isInteger(opts.maxItems) || opts.maxItems < 1) throw new RangeError(`maxItems must be an integer ≥ 1 (got ${opts.maxItems})`);
  if (!(opts.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be ≥ 0 (got ${opts.maxWaitMs})`);
  let current: T[] = [];
  let timer: unknown = null;

  function emit(): void {
    if (timer !== null) opts.timers.clearTimeout(timer);
    timer = null;
    if (current.length === 0) return;
    const batch = current;
    current = [];
    opts.onBatch(batch);
  }

  return {
    add(items: readonly T[]): void {
      for (const item of items) {
        current.push(item);
        if (current.length >= opts.maxItems) emit();
      }
      if (current.length > 0 && timer === null) timer = opts.timers.setTimeout(emit, opts.maxWaitMs);
    },
    /** Emits the partial batch now. */
    flush: emit,
    /** Items waiting for their batch. */
    size: () => current.length,
  };
}
