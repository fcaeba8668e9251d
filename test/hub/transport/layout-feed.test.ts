import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { storeLayoutSchema, type StoreLayout } from '../../../common/layout.js';
import { silentLogger } from '../../../common/logger.js';
import { configTopic } from '../../../common/topics.js';
import { createPublisher } from '../../../agent/publisher/publisher.js';
import { mayPublish, maySubscribe } from '../../../hub/transport/acl.js';
import { hashPassword } from '../../../hub/transport/users.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

function layout(storeId: string, doorY: number): Record<string, unknown> {
  return {
    name: 'Calibrated',
    zones: [{ zone_id: 'Z_SHELF', name: 'Shelf', type: 'display' }],
    cameras: [
      { camera_id: 'CAM_1', door_lines: [{ line_id: 'DOOR', a: [0, doorY], b: [1, doorY], inside: 'left' }], zones: [] },
      { camera_id: 'CAM_2', zones: [{ zone_id: 'Z_SHELF', polygon: [[0, 0], [0.5, 0], [0.5, 0.5]] }] },
    ],
    store_id: storeId,
  };
}

async function put(hub: TestHub, storeId: string, body: unknown): Promise<Response> {
  return fetch(`${hub.url}/stores/${storeId}/layout`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Resolves with the next message on `topic` (a retained one arrives right after SUBACK). */
function nextMessage(c: MqttClient, topic: string, pred: (payload: Buffer) => boolean = () => true): Promise<Buffer> {
  return new Promise((resolve) => {
    const on = (t: string, p: Buffer) => {
      if (t === topic && pred(p)) {
        c.off('message', on);
        resolve(p);
      }
    };
    c.on('message', on);
  });
}

/** Waits until `pred` holds, polling; bounded so a broken feed fails instead of hanging. */
async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 800 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

describe('hub/transport/layout-feed: layouts reach agents as retained config messages @integration', function () {
  this.timeout(60_000);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'layout-feed-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('embedded broker with logins: an agent reads its own camera\'s layout live, nothing else, and cannot write one', async () => {
    const store = `LF_${tag}`;
    writeFileSync(join(dir, 'users.json'), JSON.stringify({ cam1: { password_hash: await hashPassword('pw1'), store_id: store, camera_ids: ['CAM_1'] } }));
    const hub = await startTestHub({ MQTT_USERS_FILE: join(dir, 'users.json') });
    const url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const received: StoreLayout[] = [];
    const agent = createPublisher({
      mqttUrl: url, storeId: store, cameraId: 'CAM_1', spoolDir: join(dir, 'spool'), username: 'cam1', password: 'pw1', logger: silentLogger(),
      onConfig: (p) => received.push(storeLayoutSchema.parse(JSON.parse(p.toString()))),
    });
    try {
      expect((await put(hub, store, layout(store, 0.8))).status).to.equal(201);
      await until(() => received.length >= 1, 'the first layout');
      expect(received.at(-1)!.cameras[0]!.door_lines[0]!.a).to.deep.equal([0, 0.8]);
      expect((await put(hub, store, layout(store, 0.6))).status).to.equal(200);
      await until(() => received.at(-1)?.cameras[0]!.door_lines[0]!.a[1] === 0.6, 'the changed layout');

      // The same login as a plain client: other cameras' config and config wildcards are refused, and so is writing.
      const c = await mqtt.connectAsync(url, { clientId: `tool-${tag}`, username: 'cam1', password: 'pw1', protocolVersion: 4, reconnectPeriod: 0 });
      const filters = [configTopic(store, 'CAM_2'), `store/${store}/#`, `store/${store}/camera/+/+`, configTopic(store, 'CAM_1')];
      const granted: number[] = [];
      // MQTT.js rejects a SUBACK with a refusal (0x80) in it, so one filter at a time.
      for (const f of filters) granted.push(await c.subscribeAsync(f, { qos: 1 }).then((g) => g[0]!.qos, () => 128));
      expect(granted).to.deep.equal([128, 128, 128, 1]);
      const closed = new Promise<boolean>((r) => c.once('close', () => r(false)));
      const wrote = await Promise.race([c.publishAsync(configTopic(store, 'CAM_1'), JSON.stringify(layout(store, 0.1)), { qos: 1, retain: true }).then(() => true, () => false), closed]);
      expect(wrote).to.equal(false);
      c.end(true);
      const fresh = await mqtt.connectAsync(url, { clientId: `tool2-${tag}`, username: 'cam1', password: 'pw1', protocolVersion: 4, reconnectPeriod: 0 });
      const retained = nextMessage(fresh, configTopic(store, 'CAM_1'));
      await fresh.subscribeAsync(configTopic(store, 'CAM_1'), { qos: 1 });
      expect(JSON.parse((await retained).toString()).cameras[0].door_lines[0].a).to.deep.equal([0, 0.6]); // the hub's, not the refused one
      fresh.end(true);
    } finally {
      await agent.close();
      await hub.close();
    }
  });

  it('embedded broker without logins: nobody but the hub writes a config topic', async () => {
    const hub = await startTestHub();
    const store = `LA_${tag}`;
    try {
      await put(hub, store, layout(store, 0.8));
      await hub.layoutFeed.idle();
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: `anon-${tag}`, protocolVersion: 4, reconnectPeriod: 0 });
      const closed = new Promise<boolean>((r) => c.once('close', () => r(false)));
      const wrote = await Promise.race([c.publishAsync(configTopic(store, 'CAM_1'), '{}', { qos: 1 }).then(() => true, () => false), closed]);
      expect(wrote).to.equal(false);
      expect(hub.mqtt.stats().refused_publishes).to.be.at.least(1);
      c.end(true);
    } finally {
      await hub.close();
    }
  });

  it('external broker (Mosquitto): the hub publishes each camera\'s layout retained and clears a removed camera', async function () {
    const ok = await mqtt.connectAsync(BROKER, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 }).then((c) => (c.end(true), true), () => false);
    if (!ok) {
      console.log(`skipping: no MQTT broker at ${BROKER} (set TEST_MQTT_URL)`);
      return this.skip();
    }
    const store = `LX_${tag}`;
    const hub = await startTestHub({ MQTT_URL: BROKER, MQTT_CLIENT_ID: `hub-lf-${tag}`, MQTT_SHARED_GROUP: `g_${tag}` });
    const c = await mqtt.connectAsync(BROKER, { clientId: `lf-watch-${tag}`, protocolVersion: 4, reconnectPeriod: 0 });
    try {
      await put(hub, store, layout(store, 0.7));
      await hub.layoutFeed.idle();
      const got = nextMessage(c, configTopic(store, 'CAM_2'));
      await c.subscribeAsync(`store/${store}/camera/+/config`, { qos: 1 });
      expect(JSON.parse((await got).toString())).to.deep.include({ store_id: store });
      const cleared = nextMessage(c, configTopic(store, 'CAM_2'), (p) => p.length === 0);
      const only1 = layout(store, 0.7);
      only1.cameras = (only1.cameras as unknown[]).slice(0, 1);
      await put(hub, store, only1);
      await cleared;
    } finally {
      // Mosquitto is shared and keeps retained messages: leave none behind.
      for (const cam of ['CAM_1', 'CAM_2']) await c.publishAsync(configTopic(store, cam), '', { qos: 1, retain: true });
      c.end(true);
      await hub.close();
      await mqtt.connectAsync(BROKER, { clientId: `hub-lf-${tag}`, clean: true, protocolVersion: 4, reconnectPeriod: 0 }).then((x) => x.endAsync(), () => undefined);
    }
  });

  it('acl: a login subscribes to config by exact topic, for its own cameras only', () => {
    const user = { password_hash: '', store_id: 'S', camera_ids: ['C1'] };
    expect(maySubscribe(user, 'store/S/camera/C1/config')).to.equal(true);
    expect(maySubscribe(user, 'store/S/camera/C2/config')).to.equal(false);
    expect(maySubscribe(user, 'store/S/camera/+/config')).to.equal(false);
    expect(maySubscribe(user, 'store/S/#')).to.equal(false);
    expect(maySubscribe(user, 'store/S/camera/C1/+')).to.equal(false);
    expect(maySubscribe(user, 'store/S/camera/+/status')).to.equal(true);
    expect(maySubscribe({ ...user, camera_ids: ['*'] }, 'store/S/camera/C9/config')).to.equal(true);
    expect(maySubscribe(user, 'store/S/camera/C1/watch')).to.equal(true);
    expect(maySubscribe(user, 'store/S/camera/C2/watch')).to.equal(false);
    expect(mayPublish(user, 'store/S/camera/C1/live').ok).to.equal(true);
    expect(mayPublish(user, 'store/S/camera/C1/watch').ok).to.equal(false);
  });
});
