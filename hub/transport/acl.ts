import { parseHubTopic, parseTopic } from '../../common/topics.js';
import type { MqttUser } from './users.js';

/**
 * Pure: may this login publish to this topic? An agent may only publish to its own store's camera topics,
 * and only for the cameras listed in its entry ("*" = all of the store).
 */
export function mayPublish(user: MqttUser, topic: string): { ok: true } | { ok: false; reason: string } {
  const t = parseTopic(topic);
  if (!t) return { ok: false, reason: `topic ${topic.slice(0, 120)} is not store/<store>/camera/<camera>/(events|status|heatmap|live|signatures)` };
  if (t.storeId !== user.store_id) return { ok: false, reason: `login of store ${user.store_id} may not publish to store ${t.storeId}` };
  if (!user.camera_ids.includes('*') && !user.camera_ids.includes(t.cameraId)) {
    return { ok: false, reason: `camera ${t.cameraId} is not among this login's cameras` };
  }
  return { ok: true };
}

/**
 * Pure: may this login subscribe to this filter? Only inside its own store (agents read their retained status),
 * and a camera's hub-written topics (config = its layout, watch = live-position demand) only by exact topic and
 * only for the login's own cameras: a wildcard that could match one is refused, so one camera's login cannot read
 * another camera's config.
 */
export function maySubscribe(user: MqttUser, filter: string): boolean {
  if (!filter.startsWith(`store/${user.store_id}/`)) return false;
  const config = parseHubTopic(filter);
  if (config) return !config.cameraId.includes('+') && (user.camera_ids.includes('*') || user.camera_ids.includes(config.cameraId));
  const levels = filter.split('/');
  const mayMatchConfig = filter.includes('#') || (levels.length === 5 && levels[4] === '+');
  return !mayMatchConfig;
}

/** Pure: config/watch topics steer agents, so only the hub (inside its broker, or its own login) writes them. */
export function isHubTopic(topic: string): boolean {
  return parseHubTopic(topic) !== null;
}

/** Largest retained message (a status heartbeat is ~200 bytes); also the cap on any status payload. */
export const STATUS_MAX_BYTES = 4096;
/** Most distinct retained topics the broker keeps (one per camera in practice). */
export const MAX_RETAINED_TOPICS = 10_000;

/**
 * Pure: may a client use this client id? aedes lets a new connection with a known id disconnect the old one, and
 * agent ids are predictable (`agent-<store>-<camera>`), so with logins an agent id belongs to the logins of that
 * store and camera only ("*" logins: any camera of the store); a takeover of any other id by a different login is
 * refused in the broker, which knows the live clients. Store and camera ids may hold '-', so an id such as
 * `agent-S-X-cam` reads as store S or as store S-X: it belongs to the longest of `stores` (every store with a
 * login) that it starts with, and a login of store S may not take the id of an agent of store S-X.
 */
export function mayUseClientId(user: MqttUser, clientId: string, stores: readonly string[] = [user.store_id]): boolean {
  if (!clientId.startsWith('agent-')) return true;
  if (clientIdOwner(clientId, [...stores, user.store_id]) !== user.store_id) return false;
  if (user.camera_ids.includes('*')) return true;
  return user.camera_ids.some((cam) => clientId === `agent-${user.store_id}-${cam}`);
}

/** The store an agent client id belongs to: the longest of `stores` it starts with (`agent-<store>-…`), or null. */
function clientIdOwner(clientId: string, stores: readonly string[]): string | null {
  let owner: string | null = null;
  for (const s of stores) if (clientId.startsWith(`agent-${s}-`) && (owner === null || s.length > owner.length)) owner = s;
  return owner;
}

/**
 * Pure: the logins whose agents can never connect because their client id reads as another store's
 * (`agent-S-X-CAM` with stores S and S-X: mayUseClientId gives it to S-X). Listed at start, so the clash is seen
 * before an installer wonders why a camera stays offline. "*" logins name no cameras and cannot be checked.
 */
export function clientIdClashes(users: Readonly<Record<string, MqttUser>>): { username: string; clientId: string; owner: string }[] {
  const stores = [...new Set(Object.values(users).map((u) => u.store_id))];
  const out: { username: string; clientId: string; owner: string }[] = [];
  for (const [username, user] of Object.entries(users)) {
    for (const cam of user.camera_ids) {
      if (cam === '*') continue;
      const clientId = `agent-${user.store_id}-${cam}`;
      const owner = clientIdOwner(clientId, stores)!;
      if (owner !== user.store_id) out.push({ username, clientId, owner });
    }
  }
  return out;
}

/**
 * Pure: may this message be retained? Retained messages live in the broker's memory for good, so only camera
 * status heartbeats may be retained, each at most STATUS_MAX_BYTES; anonymous clients get no retained
 * messages on other topics either.
 */
export function mayRetain(topic: string, bytes: number): { ok: true } | { ok: false; reason: string } {
  if (parseTopic(topic)?.kind !== 'status') return { ok: false, reason: 'only store/<store>/camera/<camera>/status may be retained' };
  if (bytes > STATUS_MAX_BYTES) return { ok: false, reason: `a retained status is at most ${STATUS_MAX_BYTES} bytes (got ${bytes})` };
  return { ok: true };
}
