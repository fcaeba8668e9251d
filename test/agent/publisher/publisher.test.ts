import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { storeEventSchema, type StoreEvent } from '../../../common/event.js';
import { silentLogger } from '../../../common/logger.js';
import { cameraTopic } from '../../../common/topics.js';
import { createPublisher, type Publisher } from '../../../agent/publisher/publisher.js';
import { makeEvent } from '../../fixtures/events.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';

const events = (n: number, camera = 'CAM_ENTRY_01'): StoreEvent[] =>
  Array.from({ length: n }, (_, i) => storeEventSchema.parse(makeEvent({ camera_id: camera, metadata: { queue_depth: null, sku_zone: null, session_seq: i + 1 } })));

async function until(pred: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('agent/publisher/publisher → embedded broker → hub (real sockets) @integration', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let dir: string;
  const publishers: Publisher[] = [];
  beforeEach(async () => {
    hub = await startTestHub();
    dir = mkdtempSync(join(tmpdir(), 'pub-'));
  });
  afterEach(async () => {
    for (const p of publishers.splice(0)) await p.close();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const rows = () => hub.hub.repos.events.count();
  const open = (url: string, extra: Record<string, unknown> = {}) => {
    const p = createPublisher({ mqttUrl: url, storeId: 'STORE_BLR_002', cameraId: 'CAM_ENTRY_01', spoolDir: dir, batchMs: 50, heartbeatMs: 500, reconnectMs: 100, logger: silentLogger(), ...extra });
    publishers.push(p);
    return p;
  };

  it('stores every event once, in batches of at most batchMax, and records the heartbeat', async () => {
    const p = open(`mqtt://127.0.0.1:${hub.mqttPort}`, { batchMax: 100 });
    p.setStatus({ fps: 9.8, frames: 42 });
    p.publish(events(1234));
    await p.drain();
    expect(await rows()).to.equal(1234);
    expect(p.stats()).to.deep.include({ acked_events: 1234, acked_batches: 13, spool_depth: 0 });
    await until(async () => (await hub.hub.repos.cameras.list()).some((c) => c.fps === 9.8 && c.spool_depth === 0), 'heartbeat after the drain');
    const [cam] = await hub.hub.repos.cameras.list();
    expect(cam).to.deep.include({ store_id: 'STORE_BLR_002', camera_id: 'CAM_ENTRY_01', state: 'online', spool_depth: 0 });
  });

  it('spools while the broker is unreachable and replays in order on reconnect', async () => {
    const proxy = await startTcpProxy('127.0.0.1', hub.mqttPort!);
    const p = open(`mqtt://127.0.0.1:${proxy.port}`, { batchMax: 50 });
    p.publish(events(100));
    await p.drain();
    await proxy.cut();
    const offline = events(300);
    p.publish(offline);
    await p.flush();
    expect(p.stats().spool_depth).to.be.greaterThan(0);
    expect(await rows()).to.equal(100);
    await proxy.restore();
    await p.drain();
    await proxy.close();
    expect(await rows()).to.equal(400);
    // Order kept: each batch is committed before the next one is sent, so received_at never goes back.
    const stored = await hub.hub.db.knex('events').select('event_id', 'received_at');
    const at = new Map(stored.map((r: { event_id: string; received_at: number }) => [r.event_id, Number(r.received_at)]));
    const seq = offline.map((e) => at.get(e.event_id)!);
    for (let i = 1; i < seq.length; i++) expect(seq[i]).to.be.at.least(seq[i - 1]!);
  });

  it('sends what a closed publisher left in its spool when a new one opens the same directory', async () => {
    const proxy = await startTcpProxy('127.0.0.1', hub.mqttPort!);
    await proxy.cut();
    const first = open(`mqtt://127.0.0.1:${proxy.port}`);
    first.publish(events(250));
    await first.close();
    publishers.splice(publishers.indexOf(first), 1);
    expect(await rows()).to.equal(0);
    await proxy.restore();
    const second = open(`mqtt://127.0.0.1:${proxy.port}`);
    await second.drain();
    await proxy.close();
    expect(await rows()).to.equal(250);
  });

  it('turns the camera offline through its MQTT will when the connection dies', async () => {
    const proxy = await startTcpProxy('127.0.0.1', hub.mqttPort!);
    const p = open(`mqtt://127.0.0.1:${proxy.port}`, { reconnectMs: 60_000 });
    await until(async () => (await hub.hub.repos.cameras.list()).some((c) => c.state === 'online'), 'online heartbeat');
    await proxy.cut();
    await until(async () => (await hub.hub.repos.cameras.list()).some((c) => c.state === 'offline'), 'will message');
    await proxy.close();
    expect(p.stats().connected).to.equal(false);
  });

  it('answers bad options with an error naming the field', () => {
    const bad = () => createPublisher({ mqttUrl: 'http://x', storeId: 'bad id', cameraId: 'C', spoolDir: dir, logger: silentLogger() });
    expect(bad).to.throw(/mqttUrl: must be an mqtt:\/\//);
    expect(bad).to.throw(/storeId: must match/);
    expect(() => createPublisher({ mqttUrl: 'mqtt://x', storeId: 'S', cameraId: 'C', spoolDir: dir, batchMax: 0, logger: silentLogger() })).to.throw(/batchMax/);
  });

  it('publishes the retained status an agent or dashboard can read back', async () => {
    const p = open(`mqtt://127.0.0.1:${hub.mqttPort}`);
    await until(async () => (await hub.hub.repos.cameras.list()).length > 0, 'heartbeat');
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { protocolVersion: 4 });
    const got = new Promise<Record<string, unknown>>((resolve) => c.on('message', (_t, m) => resolve(JSON.parse(m.toString()))));
    await c.subscribeAsync(cameraTopic('STORE_BLR_002', 'CAM_ENTRY_01', 'status'));
    expect(await got).to.deep.include({ state: 'online', agent_version: '0.1.0' });
    await c.endAsync();
    expect(p.stats().connected).to.equal(true);
  });
});
