import { livePositionsSchema, type LivePositions } from '../../common/live.js';
import { z } from 'zod';
import type { EventError } from '../../common/event.js';
import { isAppError } from '../../common/errors.js';
import { describeIssues } from '../../common/layout.js';
import type { Logger } from '../../common/logger.js';
import { SIGNATURES_MAX_PER_MESSAGE } from '../../common/signature.js';
import { parseTopic, type CameraStatus } from '../../common/topics.js';
import { STATUS_MAX_BYTES } from './acl.js';

/** The slice of the ingest service (hub/ingest/service.ts) the transport needs: the same path as POST /events/ingest. */
export interface IngestLike {
  ingest(
    raws: unknown[],
    source: { kind: 'http' | 'mqtt'; storeId?: string; cameraId?: string },
  ): Promise<{ inserted: number; duplicates: number; errors: EventError[] }>;
}

/** Where camera heartbeats go (the hub's camera_status table behind /health). */
export interface CameraStatusSink {
  record(storeId: string, cameraId: string, status: CameraStatus): Promise<void> | void;
}

/** Where validated live positions go (relayed to the calibration page's SSE; nothing is stored). */
export interface LiveSink {
  record(storeId: string, cameraId: string, positions: LivePositions): void;
}

/** Where heatmap payloads go; the transport only parses the JSON. */
export interface HeatmapSink {
  record(storeId: string, cameraId: string, payload: unknown): Promise<void> | void;
}

/** Where appearance signatures go (hub/identity/identity-service.ts): validated per signature, stored, resolved. */
export interface SignatureSink {
  ingest(raws: unknown[], source: { storeId: string; cameraId: string }): Promise<{ inserted: number; duplicates: number; errors: { index: number }[] }>;
}

export const cameraStatusSchema = z.looseObject({
  state: z.enum(['online', 'offline']),
  ts: z.string().max(40),
  fps: z.number().min(0).default(0),
  frames: z.number().min(0).default(0),
  dropped: z.number().min(0).default(0),
  spool_depth: z.number().min(0).default(0),
  agent_version: z.string().max(64).default('unknown'),
});

export interface TransportStats {
  messages: number;
  events_inserted: number;
  events_duplicate: number;
  events_rejected: number;
  invalid_messages: number;
  status_updates: number;
  retries: number;
}

/** Thrown when the message must not be acknowledged (the database is down): the broker will deliver it again. */
export class RetryLater extends Error {}

/**
 * One handler per message kind behind a small dispatcher (after aedes lib/handlers/index.js). A message is
 * either handled (stored, or rejected with a logged reason — a bad message never blocks the topic) or throws
 * RetryLater, in which case the caller withholds the PUBACK so the message comes back.
 */
export function createMessageHandler(deps: {
  ingest: IngestLike;
  statusSink?: CameraStatusSink;
  heatmapSink?: HeatmapSink;
  signatureSink?: SignatureSink;
  liveSink?: LiveSink;
  logger: Logger;
  maxPayloadBytes: number;
}) {
  const log = deps.logger.child({ component: 'mqtt_consumer' });
  const stats: TransportStats = {
    messages: 0, events_inserted: 0, events_duplicate: 0, events_rejected: 0, invalid_messages: 0, status_updates: 0, retries: 0,
  };

  function invalid(topic: string, reason: string, bytes: number): void {
    stats.invalid_messages += 1;
    log.warn({ event: 'mqtt_message_invalid', topic: topic.slice(0, 200), bytes, reason }, `invalid MQTT message: ${reason}`);
  }

  function parseJson(topic: string, payload: Buffer): { ok: true; value: unknown } | { ok: false } {
    if (payload.length > deps.maxPayloadBytes) {
      invalid(topic, `payload of ${payload.length} bytes exceeds MQTT_MAX_PAYLOAD_BYTES=${deps.maxPayloadBytes}`, payload.length);
      return { ok: false };
    }
    try {
      return { ok: true, value: JSON.parse(payload.toString('utf8')) };
    } catch (err) {
      invalid(topic, `not JSON: ${(err as Error).message.slice(0, 120)}`, payload.length);
      return { ok: false };
    }
  }

  async function guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (isAppError(err) && err.code === 'DB_UNAVAILABLE') {
        stats.retries += 1;
        log.error({ event: 'mqtt_store_failed', what, err: err.message }, 'database unavailable; message not acknowledged, it will be redelivered');
        throw new RetryLater(err.message);
      }
      log.error({ event: 'mqtt_handler_error', what, err: (err as Error).message }, 'message handler failed; message dropped');
      stats.invalid_messages += 1;
      return undefined;
    }
  }

  async function onEvents(topic: string, storeId: string, cameraId: string, payload: Buffer): Promise<void> {
    const parsed = parseJson(topic, payload);
    if (!parsed.ok) return;
    if (!Array.isArray(parsed.value)) return invalid(topic, 'events payload must be a JSON array of events', payload.length);
    const raws = parsed.value as unknown[];
    const r = await guard('events', () => deps.ingest.ingest(raws, { kind: 'mqtt', storeId, cameraId }));
    if (!r) return;
    stats.events_inserted += r.inserted;
    stats.events_duplicate += r.duplicates;
    if (r.errors.length > 0) {
      const rejected = new Set(r.errors.map((e) => e.index)).size;
      stats.events_rejected += rejected;
      log.warn(
        { event: 'mqtt_events_rejected', topic, rejected, of: raws.length, errors: r.errors.slice(0, 5) },
        `${rejected} of ${raws.length} events rejected`,
      );
    }
  }

  async function onStatus(topic: string, storeId: string, cameraId: string, payload: Buffer): Promise<void> {
    // Stored whole in camera_status and read by /health: 25 status payloads of 4 MB once made a 100 MB database.
    if (payload.length > STATUS_MAX_BYTES) return invalid(topic, `status payload of ${payload.length} bytes exceeds ${STATUS_MAX_BYTES}`, payload.length);
    const parsed = parseJson(topic, payload);
    if (!parsed.ok) return;
    const s = cameraStatusSchema.safeParse(parsed.value);
    if (!s.success) return invalid(topic, `status: ${describeIssues(s.error)}`, payload.length);
    if (!deps.statusSink) return;
    await guard('status', async () => deps.statusSink!.record(storeId, cameraId, s.data as CameraStatus));
    stats.status_updates += 1;
  }

  async function onHeatmap(topic: string, storeId: string, cameraId: string, payload: Buffer): Promise<void> {
    if (!deps.heatmapSink) return;
    const parsed = parseJson(topic, payload);
    if (parsed.ok) await guard('heatmap', async () => deps.heatmapSink!.record(storeId, cameraId, parsed.value));
  }

  async function onSignatures(topic: string, storeId: string, cameraId: string, payload: Buffer): Promise<void> {
    if (!deps.signatureSink) return;
    const parsed = parseJson(topic, payload);
    if (!parsed.ok) return;
    if (!Array.isArray(parsed.value)) return invalid(topic, 'signatures payload must be a JSON array of signatures', payload.length);
    if (parsed.value.length > SIGNATURES_MAX_PER_MESSAGE) {
      return invalid(topic, `${parsed.value.length} signatures in one message (at most ${SIGNATURES_MAX_PER_MESSAGE})`, payload.length);
    }
    const raws = parsed.value as unknown[];
    const r = await guard('signatures', () => deps.signatureSink!.ingest(raws, { storeId, cameraId }));
    if (r && r.errors.length > 0) {
      // Field and reason only: a signature's values are biometric and never logged.
      log.warn({ event: 'mqtt_signatures_rejected', topic, rejected: new Set(r.errors.map((e) => e.index)).size, of: raws.length, errors: r.errors.slice(0, 5) }, 'signatures rejected');
    }
  }

  async function onLive(topic: string, storeId: string, cameraId: string, payload: Buffer): Promise<void> {
    if (!deps.liveSink) return;
    const parsed = parseJson(topic, payload);
    if (!parsed.ok) return;
    const r = livePositionsSchema.safeParse(parsed.value);
    if (!r.success) return invalid(topic, `live: ${describeIssues(r.error)}`, payload.length);
    deps.liveSink.record(storeId, cameraId, r.data);
  }

  const handlers = { events: onEvents, status: onStatus, heatmap: onHeatmap, live: onLive, signatures: onSignatures };

  return {
    /** Handles one message; throws RetryLater when it must not be acknowledged. */
    async handle(topic: string, payload: Buffer): Promise<void> {
      stats.messages += 1;
      const t = parseTopic(topic);
      if (!t) return invalid(topic, 'topic is not store/<store>/camera/<camera>/(events|status|heatmap|live|signatures)', payload.length);
      await handlers[t.kind](topic, t.storeId, t.cameraId, payload);
    },
    stats: (): TransportStats => ({ ...stats }),
  };
}
export type MessageHandler = ReturnType<typeof createMessageHandler>;
