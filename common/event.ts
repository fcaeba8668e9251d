import { z } from 'zod';
import { parseEventFast } from './event-fast-path.js';
import { EVENT_TYPES, ZONED_EVENT_TYPES } from './event-types.js';

export { EVENT_TYPES, ZONED_EVENT_TYPES, type EventType } from './event-types.js';

// Any RFC 4122/9562 version (and the nil-like test ids people paste): 8-4-4-4-12 hex.
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ID_RE = /^[A-Za-z0-9_-]+$/;

export const idSchema = z.string().min(1).max(64).regex(ID_RE, 'must match [A-Za-z0-9_-]');

/**
 * What both databases can store, checked per event so one unstorable value costs only its own event: PostgreSQL
 * text refuses NUL characters and int4 columns (queue_depth, session_seq) refuse values above 2^31-1, where
 * SQLite would take both, so without these limits the same event got 200 on one database and failed a whole
 * batch (500) on the other.
 */
export const INT4_MAX = 2 ** 31 - 1;
const noNul = (s: string) => !s.includes('\u0000');
const NUL_MESSAGE = 'must not contain NUL (U+0000) characters';
/** Free text of 1–64 characters without NUL. */
export const textSchema = z.string().min(1).max(64).refine(noNul, NUL_MESSAGE);

/** ISO-8601 with an explicit zone (Z or ±hh:mm), normalised to UTC `…Z` with milliseconds. */
export const timestampSchema = z.iso
  .datetime({ offset: true, message: 'must be ISO-8601 with a zone (Z or ±hh:mm)' })
  .transform((s) => new Date(s).toISOString());

/** Limits on free-form metadata: deep nesting would overflow JSON.stringify (a 5xx), big blobs bloat every row. */
export const METADATA_MAX_DEPTH = 8;
export const METADATA_MAX_BYTES = 8 * 1024;

/** Nesting depth of a JSON value, walked with an explicit stack (a recursive walk is what we guard against). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

export const metadataSchema = z
  .looseObject({
    queue_depth: z.number().int().min(0).max(INT4_MAX).nullable().default(null),
    sku_zone: z.string().max(64).refine(noNul, NUL_MESSAGE).nullable().default(null),
    session_seq: z.number().int().min(1).max(INT4_MAX),
    /** On a billing zone's ZONE_EXIT: the person reached the till this many ms after BILLING_QUEUE_JOIN. */
    queue_wait_ms: z.number().int().min(0).max(INT4_MAX).optional(),
  })
  .superRefine((m, ctx) => {
    if (jsonDepthExceeds(m, METADATA_MAX_DEPTH)) {
      ctx.addIssue({ code: 'custom', message: `nested deeper than ${METADATA_MAX_DEPTH} levels` });
    } else if (JSON.stringify(m).length > METADATA_MAX_BYTES) {
      ctx.addIssue({ code: 'custom', message: `larger than ${METADATA_MAX_BYTES} bytes as JSON` });
    }
  });

export const storeEventSchema = z
  .object({
    event_id: z.string().regex(UUID_RE, 'must be a UUID').transform((s) => s.toLowerCase()),
    store_id: idSchema,
    camera_id: idSchema,
    visitor_id: textSchema,
    event_type: z.enum(EVENT_TYPES),
    timestamp: timestampSchema,
    zone_id: textSchema.nullable(),
    dwell_ms: z.number().int().min(0),
    is_staff: z.boolean(),
    confidence: z.number().min(0).max(1),
    metadata: metadataSchema,
  })
  .superRefine((e, ctx) => {
    if (ZONED_EVENT_TYPES.has(e.event_type) && e.zone_id === null) {
      ctx.addIssue({ code: 'custom', path: ['zone_id'], message: `required for ${e.event_type}` });
    }
  });

/** An event as it travels (agent → MQTT/HTTP → hub), after validation. */
export type StoreEvent = z.output<typeof storeEventSchema>;
/** An event as a client may write it (before defaults and normalisation). */
export type StoreEventInput = z.input<typeof storeEventSchema>;

/** One rejected event of a batch: which one, which field, why. */
export interface EventError {
  index: number;
  event_id: string | null;
  field: string;
  reason: string;
}

export interface BatchValidation {
  valid: { index: number; event: StoreEvent }[];
  errors: EventError[];
}

function rawEventId(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'event_id' in raw) {
    const id = (raw as { event_id: unknown }).event_id;
    if (typeof id === 'string') return id.slice(0, 64);
  }
  return null;
}

/** Validates one event; on failure returns every issue as an EventError at `index`. */
export function validateEvent(raw: unknown, index: number): { event: StoreEvent } | { errors: EventError[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const got = raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw;
    return { errors: [{ index, event_id: null, field: '(event)', reason: `must be an object (got ${got})` }] };
  }
  const fast = parseEventFast(raw);
  if (fast) return { event: fast };
  const parsed = storeEventSchema.safeParse(raw);
  if (parsed.success) return { event: parsed.data };
  const event_id = rawEventId(raw);
  return {
    errors: parsed.error.issues.map((issue) => ({
      index,
      event_id,
      field: issue.path.length ? issue.path.join('.') : '(event)',
      reason: issue.message,
    })),
  };
}

/** Validates a batch event by event: one bad event never rejects the others. */
export function validateBatch(raws: readonly unknown[]): BatchValidation {
  const out: BatchValidation = { valid: [], errors: [] };
  raws.forEach((raw, index) => {
    const r = validateEvent(raw, index);
    if ('event' in r) out.valid.push({ index, event: r.event });
    else out.errors.push(...r.errors);
  });
  return out;
}
