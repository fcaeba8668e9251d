/**
 * The timers the publisher's time-driven parts use, injected so tests can drive them with fake time
 * (after MQTT.js's KeepaliveManager, which takes a Timer; test/node/keepaliveManager.ts).
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** A manual clock for tests: `advance(ms)` fires every timer due, in time order. */
export function fakeTimers(start = 0) {
  let now = start;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void; every: number | null }>();
  const timers: Timers & { advance(ms: number): void; pendingCount(): number } = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn, every: null });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
    setInterval(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn, every: ms });
      return id;
    },
    clearInterval: (h) => void pending.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void; every: number | null }] | null = null;
        for (const entry of pending) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        const [id, t] = due;
        now = t.at;
        if (t.every === null) pending.delete(id);
        else t.at += t.every;
        t.fn();
      }
      now = end;
    },
    pendingCount: () => pending.size,
  };
  return timers;
}
