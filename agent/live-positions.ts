import { AppError } from '../common/errors.js';
import type { StoreEvent } from '../common/event.js';
import { describeIssues } from '../common/layout.js';
import { LIVE_MAX_FIRED, LIVE_MAX_TRACKS, watchSchema, type LivePositions } from '../common/live.js';
import { anchorOf, type TrackedFrame } from './types.js';

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * Live positions for a calibration page (common/live.ts): nothing until the hub's watch flag arrives, then at most
 * `max_hz` messages a second for `ttl_ms` after the latest flag. Each message has the tracked (detector-matched)
 * people's anchors and ids, and the events released since the previous message; never a pixel. The clock is
 * injected (wall time, since the lease is the hub's).
 */
export function createLivePositions(opts: { now: () => number }) {
  let until = 0;
  let minGapMs = 200;
  let last = -Infinity;
  let fired: LivePositions['fired'] = [];

  return {
    /** A `…/watch` message: a lease (JSON) or empty (nobody watches). Throws CONFIG_INVALID on anything else. */
    setWatch(payload: Buffer): void {
      if (payload.length === 0) {
        until = 0;
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(payload.toString('utf8'));
      } catch {
        throw new AppError('CONFIG_INVALID', 'watch message: not JSON');
      }
      const r = watchSchema.safeParse(raw);
      if (!r.success) throw new AppError('CONFIG_INVALID', `watch message: ${describeIssues(r.error)}`);
      until = opts.now() + r.data.ttl_ms;
      minGapMs = 1000 / r.data.max_hz;
    },
    watched: (): boolean => opts.now() < until,
    /** The message to send after this frame, or null (not watched, or too soon after the previous one). */
    onFrame(tf: TrackedFrame, events: readonly StoreEvent[]): LivePositions | null {
      const now = opts.now();
      if (now >= until) {
        fired = [];
        return null;
      }
      for (const e of events) if (fired.length < LIVE_MAX_FIRED) fired.push({ type: e.event_type, zone_id: e.zone_id ?? null });
      if (now - last < minGapMs) return null;
      last = now;
      const { sourceWidth: w, sourceHeight: h } = tf.frame;
      const tracks = tf.tracks
        .filter((t) => t.state === 'tracked')
        .slice(0, LIVE_MAX_TRACKS)
        .map((t) => {
          const [x, y] = anchorOf(t.box, w, h);
          return { id: t.trackId, x: Math.round(clamp01(x) * 10_000) / 10_000, y: Math.round(clamp01(y) * 10_000) / 10_000 };
        });
      const msg: LivePositions = { ts: tf.frame.timestampMs, tracks, fired };
      fired = [];
      return msg;
    },
  };
}
