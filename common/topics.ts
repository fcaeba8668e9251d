/** MQTT topic names shared by agents and hubs (docs/DESIGN.md, "Topics"). */
export type TopicKind = 'events' | 'status' | 'heatmap';

export function cameraTopic(storeId: string, cameraId: string, kind: TopicKind): string {
  return `store/${storeId}/camera/${cameraId}/${kind}`;
}

/** Wildcard subscriptions of the hub. */
export const EVENTS_WILDCARD = 'store/+/camera/+/events';
export const STATUS_WILDCARD = 'store/+/camera/+/status';
export const HEATMAP_WILDCARD = 'store/+/camera/+/heatmap';

/** Shared subscription so N hub replicas split the event stream on Mosquitto 2 / EMQX. */
export function sharedEventsTopic(group = 'hub'): string {
  return `$share/${group}/${EVENTS_WILDCARD}`;
}

export interface ParsedTopic {
  storeId: string;
  cameraId: string;
  kind: TopicKind;
}

const TOPIC_RE = /^store\/([A-Za-z0-9_-]{1,64})\/camera\/([A-Za-z0-9_-]{1,64})\/(events|status|heatmap)$/;

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
 * Retained layout of one camera (the store's whole layout, common/layout.ts), published by the hub only, on
 * start and on every PUT /stores/:id/layout; the camera's agent applies it between frames. An empty retained
 * payload clears it (the camera left the layout). Kept apart from TopicKind: agents never publish it.
 */
export function configTopic(storeId: string, cameraId: string): string {
  return `store/${storeId}/camera/${cameraId}/config`;
}

const CONFIG_TOPIC_RE = /^store\/([^/]+)\/camera\/([^/]+)\/config$/;

/** Store and camera of a config topic; null for any other topic. */
export function parseConfigTopic(topic: string): { storeId: string; cameraId: string } | null {
  const m = CONFIG_TOPIC_RE.exec(topic);
  return m ? { storeId: m[1]!, cameraId: m[2]! } : null;
}
