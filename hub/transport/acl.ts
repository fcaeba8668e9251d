import { parseTopic } from '../../common/topics.js';
import type { MqttUser } from './users.js';

/**
 * Pure: may this login publish to this topic? An agent may only publish to its own store's camera topics
 * (issue 4), and only for the cameras listed in its entry ("*" = all of the store).
 */
export function mayPublish(user: MqttUser, topic: string): { ok: true } | { ok: false; reason: string } {
  const t = parseTopic(topic);
  if (!t) return { ok: false, reason: `topic ${topic.slice(0, 120)} is not store/<store>/camera/<camera>/(events|status|heatmap|signatures)` };
  if (t.storeId !== user.store_id) return { ok: false, reason: `login of store ${user.store_id} may not publish to store ${t.storeId}` };
  if (!user.camera_ids.includes('*') && !user.camera_ids.includes(t.cameraId)) {
    return { ok: false, reason: `camera ${t.cameraId} is not among this login's cameras` };
  }
  return { ok: true };
}

/** Pure: may this login subscribe to this filter? Only inside its own store (agents read their retained status). */
export function maySubscribe(user: MqttUser, filter: string): boolean {
  return filter.startsWith(`store/${user.store_id}/`);
}
