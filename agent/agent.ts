import { createWriteStream, writeFileSync, renameSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { StoreEvent } from '../common/event.js';
import { AppError } from '../common/errors.js';
import { describeIssues, loadLayoutFile, type StoreLayout } from '../common/layout.js';
import { signatureSchema, type Signature } from '../common/signature.js';
import type { Logger } from '../common/logger.js';
import { createBehaviour, type Behaviour } from './behaviour/index.js';
import { createOsnetEmbedder } from './behaviour/reid/osnet.js';
import { parseLayoutMessage } from './layout-update.js';
import { createLivePositions } from './live-positions.js';
import type { AgentConfig } from './config.js';
import { createCameraHeatmap } from './heatmap/camera-heatmap.js';
import type { Pipeline } from './pipeline.js';
import { createPublisher, type Publisher } from './publisher/publisher.js';
import { isLive, type StreamState } from './source/video-source.js';
import type { AgentRuntime } from './runtime.js';
import type { TrackedFrame } from './types.js';

/** Where events go: the MQTT publisher (with its spool) and/or a JSON-lines file. */
export interface EventSinks {
  publisher: Publisher | null;
  out: WriteStream | null;
}

export async function emit(sinks: EventSinks, events: readonly StoreEvent[]): Promise<void> {
  // Each event was checked against the contract once, when the behaviour layer built it (agent/behaviour/events.ts).
  if (events.length === 0) return;
  sinks.publisher?.publish(events);
  if (sinks.out && !sinks.out.write(events.map((e) => JSON.stringify(e)).join('\n') + '\n')) {
    await new Promise<void>((r) => sinks.out!.once('drain', () => r()));
  }
}

/** Signatures are checked against the contract like events, then go to the hub only (never to --out files). */
function publishSignatures(publisher: Publisher | null, list: Signature[]): void {
  if (!publisher || list.length === 0) return;
  for (const sig of list) {
    const r = signatureSchema.safeParse(sig);
    if (!r.success) throw new AppError('INTERNAL', `agent produced an invalid signature: ${describeIssues(r.error)}`);
  }
  publisher.publishSignatures(list);
}

function storeOf(cfg: AgentConfig): StoreLayout | null {
  if (!cfg.storeId || !cfg.cameraId) return null;
  const store = loadLayoutFile(cfg.layoutPath).stores.find((s) => s.store_id === cfg.storeId);
  if (!store) throw new AppError('CONFIG_INVALID', `${cfg.layoutPath}: no store ${cfg.storeId} (camera file store_id)`);
  return store;
}

/** Writes the heartbeat file atomically: Docker's HEALTHCHECK only looks at its age. */
function writeHeartbeatFile(path: string, body: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(body));
  renameSync(`${path}.tmp`, path);
}

export interface CameraAgentDeps {
  pipeline: Pipeline;
  logger: Logger;
  /** Called once per frame after behaviour (progress line, annotation). */
  onFrame?: (tf: TrackedFrame) => Promise<void> | void;
}

/**
 * One camera, end to end: tracked frames → retail events (behaviour) → publisher/--out, plus the occupancy heatmap
 * and the heartbeat. Returns the behaviour's figures when the input ends (a clip) or the signal aborts it.
 */
export async function runCameraAgent(cfg: AgentConfig, rt: AgentRuntime, deps: CameraAgentDeps) {
  const log = deps.logger;
  // The local layout file is the fallback; a layout the hub pushes on the config topic replaces it live.
  let store = storeOf(cfg);
  let applied = store ? JSON.stringify(store) : '';
  let behaviour: Behaviour | null = null;
  const live = createLivePositions({ now: Date.now });
  const onWatch = (payload: Buffer): void => {
    try {
      live.setWatch(payload);
      log.info({ event: 'live_watch', watched: live.watched() }, live.watched() ? 'a calibration page watches: sending positions' : 'nobody watches: positions stopped');
    } catch (err) {
      log.warn({ event: 'watch_refused', err: (err as Error).message.slice(0, 300) }, 'watch message refused');
    }
  };
  const onConfig = (payload: Buffer): void => {
    try {
      const next = parseLayoutMessage(payload, store!.store_id, cfg.cameraId!);
      const text = next && JSON.stringify(next);
      if (!next || text === applied) return;
      if (behaviour) behaviour.applyLayout(next);
      store = next;
      applied = text!;
      log.info({ event: 'layout_received', store_id: next.store_id, camera_id: cfg.cameraId }, 'layout from the hub: applied from the next frame');
    } catch (err) {
      log.warn({ event: 'layout_refused', err: (err as Error).message.slice(0, 300) }, 'layout from the hub refused; the current one stays');
    }
  };
  const reid = store && rt.reidModel ? await createOsnetEmbedder(rt.reidModel, { threads: 1 }) : undefined;
  const publisher =
    cfg.mqtt && store
      ? createPublisher({
          mqttUrl: cfg.mqtt,
          storeId: store.store_id,
          cameraId: cfg.cameraId!,
          spoolDir: join(rt.spoolDir, `${store.store_id}-${cfg.cameraId}`),
          spoolMaxMb: rt.spoolMaxMb,
          username: rt.mqttUsername,
          password: rt.mqttPassword,
          logger: log,
          onConfig,
          onWatch,
        })
      : null;
  const sinks: EventSinks = { publisher, out: cfg.out && store ? createWriteStream(cfg.out) : null };
  const heatmap = publisher ? createCameraHeatmap() : null;
  let lastTs = 0;
  let lastBeat = 0;
  let events = 0;
  let segment = 0;
  // A live camera is offline until its first frame; the publisher's status and the heartbeat file follow it.
  let stream: StreamState = isLive(cfg.source) ? 'offline' : 'online';
  const beat = () => {
    const stats = deps.pipeline.stats();
    const now = Date.now();
    lastBeat = now;
    const figures = {
      fps: stats.fps,
      frames: stats.frames,
      dropped: stats.dropped,
      lost_packets: stats.lostPackets,
      reconnects: stats.reconnects,
      outages: stats.outages,
      gap_ms: stats.gapMs,
      stream,
      queue_depth: behaviour?.queueDepth() ?? 0,
    };
    publisher?.setStatus(figures);
    if (rt.heartbeatFile) writeHeartbeatFile(rt.heartbeatFile, { ts: new Date(now).toISOString(), ...figures, events, spool: publisher?.stats() ?? null });
  };
  publisher?.setStreamState(stream);
  deps.pipeline.onStreamState?.((s) => {
    stream = s;
    publisher?.setStreamState(s);
    beat();
  });
  // Frames drive the heartbeat; while a camera is down no frame comes, so a timer keeps the file fresh.
  const idleBeat = setInterval(() => Date.now() - lastBeat >= 2000 && beat(), 2000);
  idleBeat.unref();
  beat();

  try {
    for await (const tf of deps.pipeline.frames()) {
      if (behaviour && (tf.frame.segment ?? 0) !== segment) {
        // After an outage: what was open closes by the end-of-input rule (no EXIT invented for people in view),
        // and a fresh behaviour starts with the new segment's fresh tracks.
        const rest = await behaviour.flush(lastTs);
        events += rest.length;
        await emit(sinks, rest);
        behaviour = null;
      }
      segment = tf.frame.segment ?? 0;
      const stats = deps.pipeline.stats();
      if (store && !behaviour) {
        behaviour = createBehaviour({ store, cameraId: cfg.cameraId!, fps: stats.sourceFps, reid, logger: log, signatures: !!publisher });
      }
      lastTs = tf.frame.timestampMs;
      if (behaviour) {
        const out = await behaviour.onFrame(tf);
        events += out.length;
        await emit(sinks, out);
        publishSignatures(publisher, behaviour.takeSignatures());
        const positions = publisher ? live.onFrame(tf, out) : null;
        if (positions) publisher!.publishSide('live', positions);
      }
      for (const msg of heatmap?.onFrame(tf) ?? []) publisher!.publishSide('heatmap', msg);
      if (Date.now() - lastBeat >= 2000) beat();
      await deps.onFrame?.(tf);
    }
    if (behaviour) {
      const rest = await behaviour.flush(lastTs);
      events += rest.length;
      await emit(sinks, rest);
      publishSignatures(publisher, behaviour.takeSignatures());
    }
  } finally {
    clearInterval(idleBeat);
    if (publisher) await drainThenClose(publisher, rt.drainTimeoutMs, log);
    if (sinks.out) await new Promise<void>((r) => sinks.out!.end(() => r()));
  }
  return { events, behaviour: behaviour?.stats() ?? null, publisher: publisher?.stats() ?? null };
}

/** Waits for every batch to be acknowledged (bounded), then closes; what is not acknowledged stays spooled. */
async function drainThenClose(publisher: Publisher, timeoutMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    publisher.drain().then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) log.warn({ event: 'drain_timeout', ...publisher.stats() }, 'broker did not acknowledge everything in time; the rest stays spooled');
  await publisher.close();
}
