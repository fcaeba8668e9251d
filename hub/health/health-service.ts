import type { CameraRepository, CameraStatusRow } from '../store/camera-repository.js';
import type { EventStore } from '../store/event-store.js';

export interface CameraHealth {
  state: string;
  last_heartbeat: string;
  fps: number | null;
  spool_depth: number | null;
  queue_depth?: number | null;
  lag_minutes: number;
}

export interface StoreHealth {
  last_event_timestamp: string | null;
  lag_minutes: number | null;
  cameras: Record<string, CameraHealth>;
}

export interface HealthReport {
  status: 'healthy' | 'degraded' | 'unhealthy';
  db: 'ok' | 'error';
  stores: Record<string, StoreHealth>;
  warnings: string[];
}

const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;

function cameraHealth(row: CameraStatusRow, now: number): CameraHealth {
  const payload = JSON.parse(row.payload) as { queue_depth?: number | null };
  return {
    state: row.state,
    last_heartbeat: new Date(row.last_heartbeat).toISOString(),
    fps: row.fps,
    spool_depth: row.spool_depth,
    queue_depth: payload.queue_depth ?? null,
    lag_minutes: minutes(now - row.last_heartbeat),
  };
}

/** Pure: turns store activity and camera heartbeats into the /health report. */
export function buildHealthReport(
  activity: { store_id: string; last_event_ts: number }[],
  cameras: CameraStatusRow[],
  opts: { now: number; staleFeedMinutes: number },
): HealthReport {
  const staleMs = opts.staleFeedMinutes * 60_000;
  const stores: Record<string, StoreHealth> = {};
  const warnings: string[] = [];
  const storeOf = (id: string) => (stores[id] ??= { last_event_timestamp: null, lag_minutes: null, cameras: {} });
  for (const a of activity) {
    const s = storeOf(a.store_id);
    s.last_event_timestamp = new Date(a.last_event_ts).toISOString();
    s.lag_minutes = minutes(Math.max(0, opts.now - a.last_event_ts));
    if (opts.now - a.last_event_ts > staleMs) {
      warnings.push(`store ${a.store_id}: no event for ${s.lag_minutes} min (STALE_FEED_MINUTES=${opts.staleFeedMinutes})`);
    }
  }
  for (const row of cameras) {
    const c = cameraHealth(row, opts.now);
    storeOf(row.store_id).cameras[row.camera_id] = c;
    if (row.state !== 'online') warnings.push(`camera ${row.store_id}/${row.camera_id} is ${row.state}`);
    else if (opts.now - row.last_heartbeat > staleMs) {
      warnings.push(`camera ${row.store_id}/${row.camera_id}: no heartbeat for ${c.lag_minutes} min`);
    }
  }
  return { status: warnings.length ? 'degraded' : 'healthy', db: 'ok', stores, warnings };
}

export function createHealthService(deps: {
  events: Pick<EventStore, 'health' | 'storeActivity'>;
  cameras: CameraRepository;
  staleFeedMinutes: number;
  clock?: () => number;
}) {
  const clock = deps.clock ?? Date.now;
  return {
    async report(): Promise<HealthReport> {
      try {
        const storage = await deps.events.health();
        const [activity, cameras] = await Promise.all([deps.events.storeActivity(), deps.cameras.list()]);
        const report = buildHealthReport(activity, cameras, { now: clock(), staleFeedMinutes: deps.staleFeedMinutes });
        // Storage warnings (acknowledged events lost) come first: they matter more than a quiet camera.
        if (storage.warnings.length > 0) return { ...report, status: 'degraded', warnings: [...storage.warnings, ...report.warnings] };
        return report;
      } catch (err) {
        return { status: 'unhealthy', db: 'error', stores: {}, warnings: [`database: ${(err as Error).message}`] };
      }
    },
  };
}
export type HealthService = ReturnType<typeof createHealthService>;
