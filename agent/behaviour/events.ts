/**
 * Builds contract events (common/event.ts) and validates each before it leaves the behaviour layer:
 * an invalid event is a bug here, so it throws instead of reaching the hub as bad data.
 */
import { AppError } from '../../common/errors.js';
import { validateEvent, type EventType, type StoreEvent } from '../../common/event.js';

/** An event before it is bound to a visitor: held per track until staff/re-id decisions settle. */
export interface DraftEvent {
  type: EventType;
  atMs: number;
  zoneId: string | null;
  dwellMs: number;
  confidence: number;
  queueDepth: number | null;
  skuZone: string | null;
  extra?: Record<string, string | number>;
}

export interface EventContext {
  storeId: string;
  cameraId: string;
  newId: () => string;
}

export function buildEvent(
  ctx: EventContext,
  d: DraftEvent,
  visitorId: string,
  sessionSeq: number,
  isStaff: boolean,
): StoreEvent {
  const raw = {
    event_id: ctx.newId(),
    store_id: ctx.storeId,
    camera_id: ctx.cameraId,
    visitor_id: visitorId,
    event_type: d.type,
    timestamp: new Date(d.atMs).toISOString(),
    zone_id: d.zoneId,
    dwell_ms: Math.max(0, Math.round(d.dwellMs)),
    is_staff: isStaff,
    confidence: Math.min(1, Math.max(0, Number(d.confidence.toFixed(3)))),
    metadata: { queue_depth: d.queueDepth, sku_zone: d.skuZone, session_seq: sessionSeq, ...d.extra },
  };
  const r = validateEvent(raw, 0);
  if ('errors' in r) {
    const why = r.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    throw new AppError('INTERNAL', `behaviour built an invalid ${d.type} event (${why})`, { event: raw });
  }
  return r.event;
}

/** Tie-break for events at the same instant: arriving comes first, leaving last. */
const ORDER: Record<EventType, number> = {
  ENTRY: 0,
  REENTRY: 0,
  ZONE_ENTER: 1,
  ZONE_DWELL: 2,
  BILLING_QUEUE_JOIN: 2,
  ZONE_EXIT: 3,
  BILLING_QUEUE_ABANDON: 4,
  EXIT: 5,
};

/** Held drafts in the order they happened (back-dated events can be created after later ones). */
export function sortDrafts(drafts: DraftEvent[]): DraftEvent[] {
  return drafts.sort((a, b) => a.atMs - b.atMs || ORDER[a.type] - ORDER[b.type]);
}

/** `PREFIX_` + 8 hex characters taken from a fresh UUID of the injected factory. */
export function shortId(prefix: string, newId: () => string): string {
  return `${prefix}_${newId().replace(/-/g, '').slice(0, 8).toLowerCase()}`;
}
