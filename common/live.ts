/**
 * Live positions for the calibration page: while someone watches a camera (the hub's retained `watch` flag), its
 * agent sends the anchor points (bottom centre, normalised 0..1) and ids of tracked people, and the events that
 * just fired, at a bounded rate on `…/live`. Only coordinates and ids: no pixel of a person leaves the agent.
 */
import { z } from 'zod';
import { EVENT_TYPES } from './event.js';

/** Most positions in one message (far above any real scene; bounds the hub's work per message). */
export const LIVE_MAX_TRACKS = 200;
/** Most fired events per message. */
export const LIVE_MAX_FIRED = 100;

const coord = z.number().min(0).max(1);
export const livePositionsSchema = z.object({
  ts: z.number().int().nonnegative(),
  tracks: z.array(z.object({ id: z.number().int().nonnegative(), x: coord, y: coord })).max(LIVE_MAX_TRACKS),
  fired: z.array(z.object({ type: z.enum(EVENT_TYPES), zone_id: z.string().max(64).nullable() })).max(LIVE_MAX_FIRED),
});
export type LivePositions = z.infer<typeof livePositionsSchema>;

/** The `watch` payload: keep sending for `ttl_ms` after it arrives (the hub refreshes it), at most `max_hz` a second. */
export const watchSchema = z.object({
  ttl_ms: z.number().int().min(1000).max(600_000),
  max_hz: z.number().min(0.2).max(10),
});
export type Watch = z.infer<typeof watchSchema>;
