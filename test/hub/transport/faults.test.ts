import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { storeEventSchema, type StoreEvent } from '../../../common/event.js';
import { silentLogger } from '../../../common/logger.js';
import { createPublisher, type Publisher } from '../../../agent/publisher/publisher.js';
import { runTs, type Proc } from '../../../scripts/lib/child.js';
import { storedIds as storedIdsIn } from '../../../scripts/lib/sqlite-file.js';
import { makeEvent } from '../../fixtures/events.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(pred: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
const makeEvents = (n: number, store: string, camera: string): StoreEvent[] =>
  Array.from({ length: n }, (_, i) =>
    storeEventSchema.parse(makeEvent({ store_id: store, camera_id: camera, metadata: { queue_depth: null, sku_zone: null, session_seq: i + 1 } })),
  );

describe('MQTT fault tests (real hub processes, real sockets) @integration', function () {
  this.timeout(120_000);
  let dir: string;
  let procs: Proc[] = [];
  let publishers: Publisher[] = [];
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mqtt-faults-'))));
  afterEach(async () => {
    for (const p of publishers) await p.close();
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) (p.child.kill('SIGKILL'), await p.exited);
    procs = [];
    publishers = [];
    rmSync(dir, { recursive: true, force: true });
  });

  const dbFile = () => join(dir, 'store.db');
  async function startHub(env: Record<string, string> = {}): Promise<{ proc: Proc; http: number; mqtt: number }> {
    const proc = runTs('hub/main.ts', [], { HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', HUB_MQTT_PORT: '0', HUB_MQTT_HOST: '127.0.0.1', DATABASE_URL: `sqlite:${dbFile()}`, ...env });
    procs.push(proc);
    const l = await proc.waitFor((x) => x.event === 'hub_listening');
    return { proc, http: l.http_port as number, mqtt: l.mqtt_port as number };
  }
  // A killed hub leaves its last events staged (not yet folded): count them wherever they are.
  const storedIds = (where: Record<string, string> = {}) => storedIdsIn(dbFile(), where);
  const publisher = (url: string, camera: string, extra: Record<string, unknown> = {}) => {
    const p = createPublisher({ mqttUrl: url, storeId: 'STORE_F', cameraId: camera, spoolDir: join(dir, camera), batchMs: 50, reconnectMs: 200, logger: silentLogger(), ...extra });
    publishers.push(p);
    return p;
  };
  async function stream(p: Publisher, events: StoreEvent[], perTick: number, tickMs: number): Promise<void> {
    for (let i = 0; i < events.length; i += perTick) {
      p.publish(events.slice(i, i + perTick));
      await sleep(tickMs);
    }
  }

  it('1. hub SIGKILLed in the middle of a 10,000-event stream, restarted 5 s later: all 10,000 stored once', async () => {
    const port = await freePort();
    let hub = await startHub({ HUB_MQTT_PORT: String(port) });
    const p = publisher(`mqtt://127.0.0.1:${port}`, 'CAM_1');
    const events = makeEvents(10_000, 'STORE_F', 'CAM_1');
    const streaming = stream(p, events, 250, 50);
    await until(() => p.stats().acked_events >= 2_000, '2,000 acknowledged events');
    hub.proc.child.kill('SIGKILL');
    await hub.proc.exited;
    const ackedAtKill = p.stats().acked_events;
    await sleep(5_000);
    expect(p.stats().acked_events).to.equal(ackedAtKill); // nothing acknowledged while the hub was gone
    hub = await startHub({ HUB_MQTT_PORT: String(port) });
    await streaming;
    await p.drain();
    const rows = storedIds();
    expect(ackedAtKill).to.be.below(10_000);
    expect(rows).to.have.length(10_000);
    expect(new Set(rows.map((r) => r.event_id))).to.deep.equal(new Set(events.map((e) => e.event_id)));
  });

  it('2. broker unreachable for 20 s while the agent keeps producing: nothing lost, order per camera kept', async () => {
    const hub = await startHub();
    const proxy = await startTcpProxy('127.0.0.1', hub.mqtt);
    const cams = ['CAM_1', 'CAM_2'];
    const streams = cams.map((c) => ({ p: publisher(`mqtt://127.0.0.1:${proxy.port}`, c), events: makeEvents(6_000, 'STORE_F', c) }));
    const running = Promise.all(streams.map((s) => stream(s.p, s.events, 50, 100))); // 500 events/s per camera, 12 s
    await sleep(2_000);
    await proxy.cut();
    // Acknowledgements already in a publisher's socket are still read after the cut: count from its disconnection.
    await until(() => streams.every((s) => !s.p.stats().connected), 'publishers disconnected');
    const cutAt = streams.map((s) => s.p.stats().acked_events);
    await sleep(20_000);
    expect(streams.map((s) => s.p.stats().acked_events)).to.deep.equal(cutAt);
    expect(streams.every((s) => s.p.stats().spool_depth > 0)).to.equal(true);
    await proxy.restore();
    await running;
    await Promise.all(streams.map((s) => s.p.drain()));
    await proxy.close();
    for (const s of streams) {
      const at = new Map(storedIds({ camera_id: s.p === streams[0]!.p ? 'CAM_1' : 'CAM_2' }).map((r) => [r.event_id, Number(r.received_at)]));
      expect(at.size).to.equal(6_000);
      const seq = s.events.map((e) => at.get(e.event_id)!);
      // Each batch is committed before the camera's next is sent, so storage time follows publish order.
      for (let i = 1; i < seq.length; i++) if (seq[i]! < seq[i - 1]!) expect.fail(`event ${i} stored before event ${i - 1}`);
    }
  });

  it('3. agent killed with events in its spool, restarted: spool drained, nothing lost, nothing doubled', async () => {
    const hub = await startHub();
    const proxy = await startTcpProxy('127.0.0.1', hub.mqtt);
    await proxy.cut();
    const idsFile = join(dir, 'ids.txt');
    const env = { MQTT_URL: `mqtt://127.0.0.1:${proxy.port}`, STORE: 'STORE_F', CAMERA: 'CAM_K', SPOOL_DIR: join(dir, 'spool'), IDS_FILE: idsFile };
    const first = runTs('test/agent/publisher/fixtures/agent-proc.ts', [], { ...env, COUNT: '3000' });
    procs.push(first);
    const spooled = await first.waitFor((l) => l.event === 'spooled');
    expect(spooled.spool_depth).to.equal(3000);
    first.child.kill('SIGKILL');
    await first.exited;
    await proxy.restore();
    const second = runTs('test/agent/publisher/fixtures/agent-proc.ts', [], { ...env, COUNT: '0', DRAIN: '1' });
    procs.push(second);
    expect((await second.waitFor((l) => l.event === 'drained')).acked_events).to.equal(3000);
    expect((await second.exited).code).to.equal(0);
    await proxy.close();
    const ids = readFileSync(idsFile, 'utf8').trim().split('\n');
    const rows = storedIds();
    expect(rows).to.have.length(3000);
    expect(new Set(rows.map((r) => r.event_id))).to.deep.equal(new Set(ids));
  });

  it('4. a publisher with the credentials of store A publishing to store B: refused, nothing stored', async () => {
    const users = join(dir, 'users.json');
    const add = runTs('hub/cli/mqtt-adduser.ts', ['--file', users, '--username', 'agent_a', '--store', 'STORE_A', '--cameras', 'CAM_1', '--password', 'pw-a']);
    expect((await add.exited).code).to.equal(0);
    const hub = await startHub({ MQTT_USERS_FILE: users });
    const url = `mqtt://127.0.0.1:${hub.mqtt}`;
    // Positive control: store A's own topic works with its login.
    const own = createPublisher({ mqttUrl: url, storeId: 'STORE_A', cameraId: 'CAM_1', spoolDir: join(dir, 'a'), batchMs: 10, username: 'agent_a', password: 'pw-a', logger: silentLogger() });
    publishers.push(own);
    own.publish(makeEvents(10, 'STORE_A', 'CAM_1'));
    await own.drain();
    // A raw client with A's login publishing B's events (QoS 1): the broker drops the connection, no PUBACK.
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, username: 'agent_a', password: 'pw-a', reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('store/STORE_B/camera/CAM_1/events', JSON.stringify(makeEvents(5, 'STORE_B', 'CAM_1')), { qos: 1 });
    await closed;
    c.end(true);
    // Wrong password and anonymous logins are refused at CONNECT.
    for (const creds of [{ username: 'agent_a', password: 'nope' }, {}]) {
      const err = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...creds }).then((x) => (x.end(true), null), (e: Error) => e);
      expect(err?.message).to.match(/Bad username or password|Not authorized/i);
    }
    await hub.proc.waitFor((l) => l.event === 'mqtt_publish_refused');
    expect(storedIds({ store_id: 'STORE_B' })).to.have.length(0);
    expect(storedIds({ store_id: 'STORE_A' })).to.have.length(10);
  });

  it('5. 1,000 malformed payloads mixed into a valid stream: all valid events stored, the hub stays up', async () => {
    const hub = await startHub();
    const url = `mqtt://127.0.0.1:${hub.mqtt}`;
    const p = publisher(url, 'CAM_1');
    const valid = makeEvents(5_000, 'STORE_F', 'CAM_1');
    const streaming = stream(p, valid, 100, 20);
    const bad = await mqtt.connectAsync(url, { protocolVersion: 4 });
    const topic = 'store/STORE_F/camera/CAM_1/events';
    for (let i = 0; i < 1000; i++) {
      let payload: Buffer | string;
      if (i % 200 === 0) {
        // 5 blobs of 10 MB, over MQTT_MAX_PAYLOAD_BYTES: the broker closes that connection at the packet header.
        const blob = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
        const closed = new Promise<void>((resolve) => blob.once('close', () => resolve()));
        blob.publish(topic, Buffer.alloc(10 * 1024 * 1024, 0x7b), { qos: 1 });
        await closed;
        blob.end(true);
        continue;
      } else if (i % 10 < 4) payload = `{"not json ${i}`; // 395
      else if (i % 10 < 7) payload = JSON.stringify([makeEvent({ confidence: 'high', timestamp: 12 })]); // 300 wrong types
      else if (i % 10 < 9) payload = JSON.stringify({ event: i }); // 200 not an array
      else payload = Buffer.from([0xff, 0xfe, i & 0xff, 0x00]); // 100 binary
      await bad.publishAsync(topic, payload, { qos: 1 }); // resolves after the hub handled it
    }
    await bad.endAsync();
    await streaming;
    await p.drain();
    expect(storedIds()).to.have.length(5_000);
    expect((await fetch(`http://127.0.0.1:${hub.http}/health`)).status).to.be.oneOf([200, 503]);
    hub.proc.child.kill('SIGTERM');
    const closed = await hub.proc.waitFor((l) => l.event === 'mqtt_transport_closed');
    expect(closed).to.deep.include({ events_inserted: 5_000, events_rejected: 300 });
    // 395 not JSON + 100 binary (not JSON either) + 200 not arrays = 695; the 5 oversized never got past the broker.
    expect(closed.invalid_messages).to.equal(695);
    expect(closed.refused_publishes).to.equal(5);
    expect((await hub.proc.exited).code).to.equal(0);
  });
});
