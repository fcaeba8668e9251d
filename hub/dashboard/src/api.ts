/** Response shapes of the hub API the dashboard reads (hub/api/*-routes.ts) and a fetch wrapper. */
// The metrics shape is the hub's own type (type-only: esbuild erases it from the bundle).
export type { StoreMetrics } from '../../analytics/metrics.js';
export interface Funnel {
  entry: number;
  zone_visit: number;
  billing_queue: number;
  purchased: number;
  /** The stages that depend on cross-camera identity (hub/analytics/funnel.ts). */
  identity?: import('../../analytics/funnel.js').Funnel['identity'];
}
export interface ZoneHeat {
  zone_id: string;
  name?: string;
  type?: string;
  frequency: number;
  avg_dwell_ms: number;
  normalized: number;
  /** The zone's visitors who purchased / the zone's visitors. */
  conversion_rate?: number;
}
export interface Anomaly {
  type: string;
  severity: 'info' | 'warning' | 'critical' | string;
  zone_id?: string;
  camera_id?: string;
  detected_at: string;
  details: Record<string, unknown>;
}
export interface CameraGrid {
  camera_id: string;
  cols: number;
  rows: number;
  counts: number[];
  minutes: number;
  max: number;
}
export interface CameraHealth {
  state: string;
  last_heartbeat: string;
  fps: number | null;
  spool_depth: number | null;
  lag_minutes: number;
}
export interface Layout {
  store_id: string;
  name: string;
  timezone: string;
  zones: { zone_id: string; name: string; type: string }[];
  cameras: {
    camera_id: string;
    name?: string;
    door_lines: { line_id: string; a: [number, number]; b: [number, number] }[];
    zones: { zone_id: string; polygon: [number, number][] }[];
  }[];
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const KEY_STORAGE = 'si_api_key';

/** A read key from ?api_key= (then remembered) or from an earlier visit; none on an open hub. */
export function apiKey(): string | null {
  const fromUrl = new URLSearchParams(location.search).get('api_key');
  if (fromUrl) localStorage.setItem(KEY_STORAGE, fromUrl);
  return fromUrl ?? localStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key: string): void {
  localStorage.setItem(KEY_STORAGE, key);
}

function withKey(path: string): string {
  const key = apiKey();
  if (!key) return path;
  return `${path}${path.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`;
}

async function get(path: string): Promise<Response> {
  const key = apiKey();
  const res = await fetch(path, { headers: key ? { authorization: `Bearer ${key}` } : {}, cache: 'no-store' });
  if (!res.ok) {
    let msg = `${res.status}`;
    try {
      msg = ((await res.json()) as { error?: { message?: string } }).error?.message ?? msg;
    } catch {
      /* not JSON */
    }
    throw new HttpError(res.status, msg);
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await get(path)).json()) as T;
}

/** An image as an object URL (fetched with the key, which an <img src> could not send as a header). */
export async function getImageUrl(path: string): Promise<string | null> {
  try {
    return URL.createObjectURL(await (await get(path)).blob());
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return null;
    throw err;
  }
}

/** A link the browser follows itself (the CSV download): like EventSource, it cannot send a header. */
export function downloadUrl(path: string): string {
  return withKey(path);
}

/** EventSource cannot set headers: the key travels as ?api_key= (hub/security/auth.ts accepts it on GET). */
export function streamUrl(path: string): string {
  return withKey(path);
}
