import type { StoreEvent } from '../../common/event.js';

/** One row of `events`; times are epoch ms. */
export interface EventRow {
  event_id: string;
  store_id: string;
  camera_id: string;
  visitor_id: string;
  event_type: string;
  ts: number;
  zone_id: string | null;
  dwell_ms: number;
  is_staff: boolean;
  confidence: number;
  queue_depth: number | null;
  session_seq: number;
  metadata: string;
  received_at: number;
}

export function toRow(e: StoreEvent, receivedAt: number): EventRow {
  return {
    event_id: e.event_id,
    store_id: e.store_id,
    camera_id: e.camera_id,
    visitor_id: e.visitor_id,
    event_type: e.event_type,
    ts: Date.parse(e.timestamp),
    zone_id: e.zone_id,
    dwell_ms: e.dwell_ms,
    is_staff: e.is_staff,
    confidence: e.confidence,
    queue_depth: e.metadata.queue_depth ?? null,
    session_seq: e.metadata.session_seq,
    metadata: JSON.stringify(e.metadata),
    received_at: receivedAt,
  };
}

/** The columns of `events` written at ingest, in binding order. */
export const EVENT_COLUMNS = [
  'event_id', 'store_id', 'camera_id', 'visitor_id', 'event_type', 'ts', 'zone_id', 'dwell_ms',
  'is_staff', 'confidence', 'queue_depth', 'session_seq', 'metadata', 'received_at',
] as const;

/** The de-duplication key: the two 64-bit halves of the UUID folded by XOR (uniform for v4 and for v7's random tail). */
export function eventKey(eventId: string): bigint {
  const hex = eventId.replace(/-/g, '');
  return BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`));
}
