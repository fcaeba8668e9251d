/** MQTT topic names shared by agents and hubs (docs/DESIGN.md, "Topics"). */
export type TopicKind = 'events' | 'status' | 'heatmap' | 'signatures';

export function cameraTopic(storeId: string, cameraId: string, kind: TopicKind): string {
  return `store/${storeId}/camera/${cameraId}/${kind}`;
}

/** Wildcard subscriptions of the hub. */
export const EVENTS_WILDCARD = 'store/+/camera/+/events';
export const STATUS_WILDCARD = 'store/+/camera/+/status';
export const HEATMAP_WILDCARD = 'store/+/camera/+/heatmap';
/** Appearance signatures (common/signature.ts): QoS 1, spooled by the agent like events. */
export const SIGNATURES_WILDCARD = 'store/+/camera/+/signatures';

/** Shared subscription so N hub replicas split the event stream on Mosquitto 2 / EMQX. */
export function sharedEventsTopic(group = 'hub'): string {
  return `$share/${group}/${EVENTS_WILDCARD}`;
}

/** Shared subscription of signatures: each replica stores its share; resolution reads them from the database. */
export function sharedSignaturesTopic(group = 'hub'): string {
  return `$share/${group}/${SIGNATURES_WILDCARD}`;
}

export interface ParsedTopic {
  storeId: string;
  cameraId: string;
  kind: TopicKind;
}

const TOPIC_RE = /^store\/([A-Za-z0-9_-]{1,64})\/camera\/([A-Za-z0-9_-]{1,64})\/(events|status|heatmap|signatures)$/;

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
