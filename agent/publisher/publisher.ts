import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { mqttUrlSchema } from '../../common/mqtt-url.js';
import { z } from 'zod';
import { idSchema, type StoreEvent } from '../../common/event.js';
import { AppError } from '../../common/errors.js';
import { describeIssues } from '../../common/layout.js';
import type { Logger } from '../../common/logger.js';
import { cameraTopic, hubTopic } from '../../common/topics.js';
import { SIGNATURES_MAX_PER_MESSAGE, type Signature } from '../../common/signature.js';
import { createBatcher } from './batcher.js';
import { createSpooledChannel } from './spooled-channel.js';
import { buildStatus, startHeartbeat, type PipelineStats } from './heartbeat.js';
import { openSpool } from './spool.js';
import { realTimers, type Timers } from './timers.js';

export const AGENT_VERSION = '0.1.0';

const optionsSchema = z.object({
  /** mqtt://host:port of the hub's embedded broker or of an external broker. */
  mqttUrl: mqttUrlSchema(),
  storeId: idSchema,
  cameraId: idSchema,
  /** Directory of the write-ahead spool (AGENT_SPOOL_DIR); one directory per camera. */
  spoolDir: z.string().min(1),
  /** Spool bound in MB (AGENT_SPOOL_MAX_MB); oldest batches are dropped past it. */
  spoolMaxMb: z.number().positive().default(256),
  /** Most events per MQTT message (500). */
  batchMax: z.number().int().min(1).max(5000).default(500),
  /** Longest wait (ms) before a partial batch is sent (1 s). */
  batchMs: z.number().int().min(0).default(1000),
  /** Heartbeat period (ms) of the retained status topic (10 s). */
  heartbeatMs: z.number().int().min(100).default(10_000),
  /** Reconnect delay (ms) after the broker is lost. */
  reconnectMs: z.number().int().min(50).default(1000),
  username: z.string().optional(),
  password: z.string().optional(),
  agentVersion: z.string().default(AGENT_VERSION),
});
export type PublisherOptions = z.input<typeof optionsSchema> & {
  logger: Logger;
  timers?: Timers;
  /** Called with each retained/new message on this camera's config topic (its layout, pushed by the hub). */
  onConfig?: (payload: Buffer) => void;
  /** Called with each message on this camera's watch topic (live-position demand from a calibration page). */
  onWatch?: (payload: Buffer) => void;
};

export interface PublisherStats {
  connected: boolean;
  published_events: number;
  acked_events: number;
  acked_batches: number;
  spool_depth: number;
  spool_batches: number;
  spool_dropped_events: number;
  pending_in_batcher: number;
}

/**
 * Agent → hub event publisher: batches events, appends each batch to the disk spool, then publishes
 * the spool in order with QoS 1, one batch in flight per camera (which keeps the camera's order across
 * reconnects); a batch leaves the spool only when its PUBACK arrives. Heartbeat on the retained status topic,
 * with an MQTT will that turns it `offline` when the connection dies.
 */
export function createPublisher(options: PublisherOptions) {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new AppError('CONFIG_INVALID', `publisher options: ${describeIssues(parsed.error)}`);
  const o = parsed.data;
  const { logger } = options;
  const timers = options.timers ?? realTimers;
  const log = logger.child({ component: 'publisher', store_id: o.storeId, camera_id: o.cameraId });
  const eventsTopic = cameraTopic(o.storeId, o.cameraId, 'events');
  const configTopic = hubTopic(o.storeId, o.cameraId, 'config');
  const watchTopic = hubTopic(o.storeId, o.cameraId, 'watch');
  let sideDropped = 0;
  const statusTopic = cameraTopic(o.storeId, o.cameraId, 'status');
  const spool = openSpool({ dir: o.spoolDir, maxBytes: o.spoolMaxMb * 1024 * 1024, logger: log });
  let pipeline: PipelineStats = {};
  // The camera's stream: an agent connected to the broker but not to its camera is offline for the store.
  let stream: 'online' | 'offline' = 'online';
  let published = 0;
  let ackedEvents = 0;
  let ackedBatches = 0;
  let inFlight: number | null = null;
  let closing = false;
  let drainWaiters: (() => void)[] = [];

  const status = (state: 'online' | 'offline') =>
    JSON.stringify(
      buildStatus(state, pipeline, { spoolDepth: spool.depth().events, spoolDroppedEvents: spool.dropped().events }, timers.now(), o.agentVersion),
    );

  const recovered = spool.depth();
  if (recovered.batches > 0) log.info({ event: 'spool_recovered', batches: recovered.batches, events: recovered.events }, 'unacknowledged batches found in the spool; they are sent first');

  const client: MqttClient = mqtt.connect(o.mqttUrl, {
    clientId: `agent-${o.storeId}-${o.cameraId}`,
    protocolVersion: 4, // aedes 1.x speaks 3.1.1 only
    clean: true, // the spool, not the broker session, is what survives a restart
    reconnectPeriod: o.reconnectMs,
    connectTimeout: 5000,
    username: o.username,
    password: o.password,
    will: { topic: statusTopic, payload: Buffer.from(status('offline')), qos: 1, retain: true },
  });

  // Appearance signatures (store-level identity): their own topic and spool, never pixels.
  const signatures = createSpooledChannel<Signature>({
    client, topic: cameraTopic(o.storeId, o.cameraId, 'signatures'), dir: join(o.spoolDir, 'signatures'), maxBytes: (o.spoolMaxMb * 1024 * 1024) / 4,
    batchMax: SIGNATURES_MAX_PER_MESSAGE, batchMs: o.batchMs, timers, logger: log,
  });

  client.on('connect', () => {
    signatures.pump();
    const d = spool.depth();
    log.info({ event: 'broker_connected', spool_batches: d.batches, spool_events: d.events }, d.batches > 0 ? 'connected; replaying the spool' : 'connected');
    sendStatus();
    pump();
    // Clean sessions forget subscriptions, so subscribe on every connect; retained layout and watch arrive at once.
    for (const [topic, wanted] of [[configTopic, options.onConfig], [watchTopic, options.onWatch]] as const) {
      if (!wanted) continue;
      client.subscribe(topic, { qos: 1 }, (err, granted) => {
        const refused = err || granted?.some((g) => g.qos === 128);
        if (refused) log.warn({ event: 'hub_topic_subscribe_refused', topic, err: err?.message }, 'cannot read this hub topic; the local layout file stays in use, no live positions');
      });
    }
  });
  client.on('message', (topic, payload) => {
    if (topic === configTopic) options.onConfig?.(payload);
    else if (topic === watchTopic) options.onWatch?.(payload);
  });
  client.on('offline', () => log.warn({ event: 'broker_unreachable', spool_events: spool.depth().events }, 'broker unreachable; spooling to disk'));
  client.on('error', (err) => log.error({ event: 'mqtt_error', err: err.message }, 'mqtt error'));

  const batcher = createBatcher<StoreEvent>({
    maxItems: o.batchMax,
    maxWaitMs: o.batchMs,
    timers,
    onBatch(events) {
      spool.append(JSON.stringify(events), events.length);
      pump();
    },
  });
  const heartbeat = startHeartbeat({ intervalMs: o.heartbeatMs, timers, send: sendStatus });

  function stats(): PublisherStats {
    const d = spool.depth();
    return {
      connected: client.connected,
      published_events: published,
      acked_events: ackedEvents,
      acked_batches: ackedBatches,
      spool_depth: d.events,
      spool_batches: d.batches,
      spool_dropped_events: spool.dropped().events,
      pending_in_batcher: batcher.size(),
    };
  }

  function sendStatus(): void {
    if (client.connected && !closing) client.publish(statusTopic, status(stream), { qos: 1, retain: true });
  }

  function pump(): void {
    if (inFlight !== null || !client.connected) return;
    const rec = spool.peek();
    if (!rec) {
      if (batcher.size() === 0) for (const w of drainWaiters.splice(0)) w();
      return;
    }
    inFlight = rec.seq;
    client.publish(eventsTopic, rec.payload, { qos: 1 }, (err) => {
      inFlight = null;
      if (err) {
        // Connection closed before the PUBACK: the batch stays in the spool and is sent again on reconnect.
        log.warn({ event: 'publish_unacked', seq: rec.seq, err: err.message }, 'batch not acknowledged; kept in the spool');
        return;
      }
      spool.ack(rec.seq);
      ackedBatches += 1;
      ackedEvents += rec.count;
      pump();
    });
  }

  return {
    /** Queues events for the next batch (never blocks; the spool absorbs a lost broker). */
    publish(events: readonly StoreEvent[]): void {
      if (closing) throw new AppError('BAD_REQUEST', 'publisher is closed');
      published += events.length;
      batcher.add(events);
    },
    /**
     * Best-effort side channel (heatmap grids, background frames): QoS 1 while connected, otherwise dropped and
     * counted. Not spooled: a missed minute of occupancy is not worth delaying events behind it.
     */
    publishSide(kind: 'heatmap' | 'live', payload: unknown): boolean {
      if (closing || !client.connected) {
        sideDropped += 1;
        return false;
      }
      // Live positions are superseded within a fifth of a second: QoS 0, no retransmission.
      client.publish(cameraTopic(o.storeId, o.cameraId, kind), JSON.stringify(payload), { qos: kind === 'live' ? 0 : 1 });
      return true;
    },
    /** Queues appearance signatures (spooled, QoS 1, topic …/signatures). */
    publishSignatures(list: readonly Signature[]): void {
      if (closing) throw new AppError('BAD_REQUEST', 'publisher is closed');
      if (list.length > 0) signatures.add(list);
    },
    /** Pipeline figures for the next heartbeat (fps, frames, dropped, queue_depth …). */
    setStatus(partial: PipelineStats): void {
      pipeline = { ...pipeline, ...partial };
    },
    /** The camera's stream went live or was lost: the retained status says so at once, not at the next beat. */
    setStreamState(state: 'online' | 'offline'): void {
      if (state === stream) return;
      stream = state;
      sendStatus();
    },
    /** Resolves when everything published so far is in the spool (and so survives a restart). */
    async flush(): Promise<void> {
      batcher.flush();
    },
    /** Resolves when every batch published so far has been acknowledged by the broker. */
    drain(): Promise<void> {
      batcher.flush();
      const events = new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        pump();
      });
      return Promise.all([events, signatures.drain()]).then(() => undefined);
    },
    stats,
    /** Spools the partial batch, says `offline` on the status topic, disconnects. Unacked batches stay spooled. */
    async close(): Promise<void> {
      if (closing) return;
      batcher.flush();
      heartbeat.stop();
      if (client.connected) {
        await new Promise<void>((resolve) => {
          const t = timers.setTimeout(resolve, 2000);
          client.publish(statusTopic, status('offline'), { qos: 1, retain: true }, () => (timers.clearTimeout(t), resolve()));
        });
      }
      closing = true;
      drainWaiters = [];
      await client.endAsync(true);
      spool.close();
      signatures.close();
      log.info({ event: 'publisher_closed', ...stats() }, 'publisher closed');
    },
  };
}
export type Publisher = ReturnType<typeof createPublisher>;
