import type { StoreEvent } from './event.js';
import { EVENT_TYPES, ZONED_EVENT_TYPES, type EventType } from './event-types.js';

/**
 * A fast path for the common case of the event contract: an event that is plainly valid is turned into exactly
 * what storeEventSchema.parse() returns, without zod (about five times faster on this machine; docs/CHOICES.md,
 * "Ingest write path"). Anything unusual (a missing or extra metadata key, a time offset, a value near a limit)
 * returns null and goes through zod, which stays the single definition of the contract and the only source of
 * error messages. test/common/event-fast-path.test.ts holds the two to the same output on generated inputs.
 */
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const META_KEYS: ReadonlySet<string> = new Set(['queue_depth', 'sku_zone', 'session_seq', 'queue_wait_ms']);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
// NUL and int4 bounds: what PostgreSQL cannot store (common/event.ts says why); such values go to zod for the message.
const shortString = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 64 && !v.includes('\u0000');
const natural = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const INT4_MAX = 2 ** 31 - 1;

/** UTC time written as zod's output writes it (or without milliseconds), and a real calendar instant. */
function utcTimestamp(v: unknown): string | null {
  if (typeof v !== 'string' || !UTC_RE.test(v)) return null;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return null;
  const iso = new Date(ms).toISOString();
  // Round-trip: rejects 2026-02-30, 24:00:00 and the like, which Date would silently roll over.
  return iso === v || iso === `${v.slice(0, -1)}.000Z` ? iso : null;
}

function metadataOf(v: unknown): StoreEvent['metadata'] | null {
  if (!isPlainObject(v)) return null;
  for (const k in v) if (!META_KEYS.has(k)) return null;
  const q = 'queue_depth' in v ? v.queue_depth : null;
  const s = 'sku_zone' in v ? v.sku_zone : null;
  if (!(q === null || natural(q, 0, INT4_MAX)) || !(s === null || (typeof s === 'string' && s.length <= 64 && !s.includes('\u0000')))) return null;
  if (!natural(v.session_seq, 1, INT4_MAX)) return null;
  if (!('queue_wait_ms' in v)) return { queue_depth: q, sku_zone: s, session_seq: v.session_seq } as StoreEvent['metadata'];
  if (!natural(v.queue_wait_ms, 0, INT4_MAX)) return null;
  return { queue_depth: q, sku_zone: s, session_seq: v.session_seq, queue_wait_ms: v.queue_wait_ms } as StoreEvent['metadata'];
}

/** The parsed event when `raw` is plainly valid; null when only zod can tell (invalid, or unusual). */
export function parseEventFast(raw: unknown): StoreEvent | null {
  if (!isPlainObject(raw)) return null;
  const { event_id, store_id, camera_id, visitor_id, event_type, zone_id, dwell_ms, is_staff, confidence } = raw;
  if (typeof event_id !== 'string' || !UUID_RE.test(event_id)) return null;
  if (typeof store_id !== 'string' || !ID_RE.test(store_id) || typeof camera_id !== 'string' || !ID_RE.test(camera_id)) return null;
  if (!shortString(visitor_id) || typeof event_type !== 'string' || !TYPES.has(event_type)) return null;
  if (!(zone_id === null || shortString(zone_id))) return null;
  if (zone_id === null && ZONED_EVENT_TYPES.has(event_type as EventType)) return null;
  if (!natural(dwell_ms, 0) || typeof is_staff !== 'boolean') return null;
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) return null;
  const timestamp = utcTimestamp(raw.timestamp);
  const metadata = metadataOf(raw.metadata);
  if (timestamp === null || metadata === null) return null;
  return {
    event_id: event_id.toLowerCase(), store_id, camera_id, visitor_id, event_type: event_type as EventType, timestamp,
    zone_id, dwell_ms, is_staff, confidence, metadata,
  } as StoreEvent;
}
