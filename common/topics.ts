/** MQTT topic names shared by agents and hubs (docs/DESIGN.md, "Topics"). */
export type TopicKind = 'events' | 'status' | 'heatmap' | 'live';

export function cameraTopic(storeId: string, cameraId: string, kind: TopicKind): string {
  return `store/${storeId}/camera/${cameraId}/${kind}`;
}

/** Wildcard subscriptions of the hub. */
export const EVENTS_WILDCARD = 'store/+/camera/+/events';
export const STATUS_WILDCARD = 'store/+/camera/+/status';
export const HEATMAP_WILDCARD = 'store/+/camera/+/heatmap';
/** Tracked positions an agent sends only while a calibration page watches its camera (common/live.ts). */
export const LIVE_WILDCARD = 'store/+/camera/+/live';

/** Shared subscription so N hub replicas split the event stream on Mosquitto 2 / EMQX. */
export function sharedEventsTopic(group = 'hub'): string {
  return `$share/${group}/${EVENTS_WILDCARD}`;
}

export interface ParsedTopic {
  storeId: string;
  cameraId: string;
  kind: TopicKind;
}

const TOPIC_RE = /^store\/([A-Za-z0-9_-]{1,64})\/camera\/([A-Za-z0-9_-]{1,64})\/(events|status|heatmap|live)$/;

/** Parses a concrete topic; null when it is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const m = TOPIC_RE.exec(topic);
  if (!m) return null;
  return { storeId: m[1]!, cameraId: m[2]!, kind: m[3] as TopicKind };
}

/** Retained heartbeat an agent publishes every `heartbeatIntervalMs` (default 10 s). */
export interface CameraStatus {
  state: 'online' | 'offline';
  ts: string;
  fps: number;
  frames: number;
  dropped: number;
  spool_depth: number;
  agent_version: string;
  [extra: string]: unknown;
}

/**
 * Topics the hub writes and a camera's agent reads (never the other way round):
 * - `config`: the store's whole layout (common/layout.ts), retained, on start and on every PUT
 *   /stores/:id/layout; the agent applies it between frames. Empty retained payload = cleared.
 * - `watch`: the demand flag of live positions (common/live.ts), retained while a calibration page watches the
 *   camera and refreshed as a lease; empty = nobody watches.
 * Kept apart from TopicKind so no agent login can publish them.
 */
export type HubTopicKind = 'config' | 'watch';

export function hubTopic(storeId: string, cameraId: string, kind: HubTopicKind): string {
  return `store/${storeId}/camera/${cameraId}/${kind}`;
}

export function configTopic(storeId: string, cameraId: string): string {
  return hubTopic(storeId, cameraId, 'config');
}

const HUB_TOPIC_RE = /^store\/([^/]+)\/camera\/([^/]+)\/(config|watch)$/;

/** Store, camera and kind of a hub-written topic (wildcards included, for ACL checks); null for any other. */
export function parseHubTopic(topic: string): { storeId: string; cameraId: string; kind: HubTopicKind } | null {
  const m = HUB_TOPIC_RE.exec(topic);
  return m ? { storeId: m[1]!, cameraId: m[2]!, kind: m[3] as HubTopicKind } : null;
}
