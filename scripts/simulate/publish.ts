/**
 * The simulator's I/O adapter: takes the time-ordered items of `simulate()` and publishes events to
 * store/<s>/camera/<c>/events (QoS 1, JSON arrays of ≤ batchMax events, as the agent publisher does), paces them
 * by `speed` (simulated seconds per wall second; 0 = as fast as the broker acknowledges), sends POS rows to the
 * hub (POST /stores/:id/pos) or keeps them for a CSV, and announces each simulated camera on its retained
 * status topic. Clock and sleep are injected.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { StoreEvent } from '../../common/event.js';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { cameraTopic } from '../../common/topics.js';
import type { PosRow, SimItem } from './generator.js';

export interface PublishOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  /** Hub base URL for POS rows (every row is also returned, for a CSV). */
  hubUrl?: string;
  apiKey?: string;
  /** Simulated ms per wall ms; 0 = no pacing. */
  speed: number;
  /** Simulated time that maps to the wall-clock start. */
  startMs: number;
  batchMax: number;
  /** Batches awaiting their PUBACK at once (MQTT.js keeps them in its outgoing store). */
  maxInFlight: number;
  logger: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PublishReport {
  events: number;
  batches: number;
  posRows: number;
  posKept: PosRow[];
  wallMs: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function connectMqtt(url: string, clientId: string, username?: string, password?: string): Promise<MqttClient> {
  try {
    // protocolVersion 4: aedes 1.x (the embedded broker) speaks MQTT 3.1.1 only.
    return await mqtt.connectAsync(url, { clientId, protocolVersion: 4, clean: true, connectTimeout: 5000, reconnectPeriod: 1000, username, password });
  } catch (err) {
    throw new AppError('BAD_REQUEST', `--mqtt ${url}: cannot connect to the broker (${(err as Error).message})`, undefined, { cause: err });
  }
}

export async function postPos(hubUrl: string, storeId: string, rows: PosRow[], apiKey?: string): Promise<void> {
  const res = await fetch(`${hubUrl.replace(/\/$/, '')}/stores/${encodeURIComponent(storeId)}/pos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(rows),
  });
  if (!res.ok) throw new AppError('BAD_REQUEST', `--hub ${hubUrl}: POST /stores/${storeId}/pos answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

export async function publishItems(items: Iterable<SimItem>, o: PublishOptions): Promise<PublishReport> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const client = await connectMqtt(o.mqttUrl, `sim-${process.pid}-${Math.floor(Math.random() * 1e6)}`, o.username, o.password);
  const events = new Map<string, StoreEvent[]>();
  const pos = new Map<string, PosRow[]>();
  const cameras = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  const report: PublishReport = { events: 0, batches: 0, posRows: 0, posKept: [], wallMs: 0 };
  const wall0 = now();
  let lastLog = wall0;

  const status = (storeId: string, cameraId: string, state: 'online' | 'offline') =>
    client.publishAsync(cameraTopic(storeId, cameraId, 'status'), JSON.stringify({ state, ts: new Date(now()).toISOString(), fps: 0, frames: 0, dropped: 0, spool_depth: 0, agent_version: 'simulator' }), { qos: 1, retain: true });

  const send = async (topic: string, batch: StoreEvent[]) => {
    while (inFlight.size >= o.maxInFlight) await Promise.race(inFlight);
    const p = client.publishAsync(topic, JSON.stringify(batch), { qos: 1 }).then(() => {
      report.events += batch.length;
      report.batches++;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
  };
  const flush = async () => {
    for (const [topic, batch] of events) if (batch.length) await send(topic, batch.splice(0));
    if (o.hubUrl) {
      for (const [store, rows] of pos) if (rows.length) await postPos(o.hubUrl, store, rows.splice(0), o.apiKey);
    }
  };

  try {
    for (const item of items) {
      const ts = Date.parse(item.kind === 'event' ? item.event.timestamp : item.pos.timestamp);
      if (o.speed > 0) {
        const due = wall0 + (ts - o.startMs) / o.speed;
        if (due > now()) {
          await flush();
          await sleep(due - now());
        }
      }
      if (item.kind === 'pos') {
        report.posRows++;
        if (o.hubUrl) pos.set(item.pos.store_id, [...(pos.get(item.pos.store_id) ?? []), item.pos]);
        report.posKept.push(item.pos);
        continue;
      }
      const e = item.event;
      const topic = cameraTopic(e.store_id, e.camera_id, 'events');
      if (!cameras.has(topic)) {
        cameras.add(topic);
        await status(e.store_id, e.camera_id, 'online');
      }
      const batch = events.get(topic) ?? [];
      events.set(topic, batch);
      batch.push(e);
      if (batch.length >= o.batchMax) await send(topic, batch.splice(0));
      if (now() - lastLog >= 5000) {
        lastLog = now();
        o.logger.info({ event: 'sim_progress', published_events: report.events, sim_time: e.timestamp }, 'publishing');
      }
    }
    await flush();
    await Promise.all(inFlight);
    for (const topic of cameras) {
      const [, storeId, , cameraId] = topic.split('/');
      await status(storeId!, cameraId!, 'offline');
    }
  } finally {
    await client.endAsync();
  }
  report.wallMs = now() - wall0;
  return report;
}
