import type { LivePositions, Watch } from '../../common/live.js';
import type { Logger } from '../../common/logger.js';
import { hubTopic } from '../../common/topics.js';

type Listener = (p: LivePositions) => void;
type Publish = (topic: string, payload: string) => Promise<void>;

export interface LiveRelayOptions {
  /** How long an agent keeps sending after a watch flag (ms); the hub refreshes the flag at a third of it. */
  ttlMs: number;
  /** Most position messages per second an agent sends while watched. */
  maxHz: number;
}

/** A minute's lease, five messages a second: smooth enough for dots, ~1 KB/s per watched camera. */
export const LIVE_DEFAULTS: LiveRelayOptions = { ttlMs: 60_000, maxHz: 5 };

/**
 * Live positions between agents and calibration pages. Pages register per camera (`watch`); while a camera has
 * at least one watcher the hub keeps a retained `…/watch` lease on the broker (refreshed every ttl/3, cleared
 * when the last watcher leaves), and the agent sends positions only then. Positions that arrive (`record`) go to
 * that camera's watchers and are never stored. A hub that dies leaves a lease that lapses after `ttlMs`.
 */
export function createLiveRelay(deps: { logger: Logger; options: LiveRelayOptions }) {
  const log = deps.logger.child({ component: 'live_relay' });
  const watchers = new Map<string, { storeId: string; cameraId: string; listeners: Set<Listener>; timer: NodeJS.Timeout }>();
  const flag: Watch = { ttl_ms: deps.options.ttlMs, max_hz: deps.options.maxHz };
  let publish: Publish | null = null;

  function send(storeId: string, cameraId: string, on: boolean): void {
    publish?.(hubTopic(storeId, cameraId, 'watch'), on ? JSON.stringify(flag) : '').catch((err: Error) =>
      log.warn({ event: 'watch_publish_failed', store_id: storeId, camera_id: cameraId, err: err.message.slice(0, 200) }, 'watch flag not published'),
    );
  }

  return {
    /** The broker side, once the MQTT transport is up (it starts after the HTTP routes are built). */
    attach(p: Publish): void {
      publish = p;
      for (const w of watchers.values()) send(w.storeId, w.cameraId, true);
    },
    /** Registers a watcher of one camera; returns the function that unregisters it. */
    watch(storeId: string, cameraId: string, listener: Listener): () => void {
      const key = `${storeId}\u0000${cameraId}`;
      let w = watchers.get(key);
      if (!w) {
        const timer = setInterval(() => send(storeId, cameraId, true), Math.max(1000, Math.floor(flag.ttl_ms / 3)));
        timer.unref();
        w = { storeId, cameraId, listeners: new Set(), timer };
        watchers.set(key, w);
        send(storeId, cameraId, true);
        log.info({ event: 'live_watch_started', store_id: storeId, camera_id: cameraId }, 'a calibration page watches this camera');
      }
      w.listeners.add(listener);
      const entry = w;
      return () => {
        entry.listeners.delete(listener);
        if (entry.listeners.size > 0 || watchers.get(key) !== entry) return;
        clearInterval(entry.timer);
        watchers.delete(key);
        send(storeId, cameraId, false);
        log.info({ event: 'live_watch_stopped', store_id: storeId, camera_id: cameraId }, 'nobody watches this camera any more');
      };
    },
    /** Positions from a camera's agent (validated by the MQTT message handler). */
    record(storeId: string, cameraId: string, p: LivePositions): void {
      for (const l of watchers.get(`${storeId}\u0000${cameraId}`)?.listeners ?? []) l(p);
    },
    watching: (storeId: string, cameraId: string): number => watchers.get(`${storeId}\u0000${cameraId}`)?.listeners.size ?? 0,
  };
}
export type LiveRelay = ReturnType<typeof createLiveRelay>;
