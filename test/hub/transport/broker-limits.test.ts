import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { hashPassword } from '../../../hub/transport/users.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';

const tag = randomBytes(3).toString('hex').toUpperCase();
const STORE_A = `BL_A_${tag}`;
const STORE_B = `BL_B_${tag}`;

/** Connects; resolves with the client, or with the CONNACK return code / close when refused. */
function connect(url: string, opts: mqtt.IClientOptions): Promise<{ client: MqttClient | null; code: number | null }> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
    c.once('connect', () => resolve({ client: c, code: 0 }));
    c.once('error', (err) => (c.end(true), resolve({ client: null, code: (err as { code?: number }).code ?? null })));
    c.once('close', () => resolve({ client: null, code: null }));
  });
}

/** Publishes and says whether the broker accepted it (PUBACK) or closed the connection instead. */
function accepted(c: MqttClient, topic: string, payload: string | Buffer, retain: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    c.once('close', () => resolve(false));
    c.publish(topic, payload, { qos: 1, retain }, (err) => resolve(!err));
  });
}

describe('embedded broker limits: packet size, retained messages, status size @integration', function () {
  this.timeout(60_000);
  let hub: TestHub;
  before(async () => (hub = await startTestHub({ MQTT_MAX_PAYLOAD_BYTES: '100000' })));
  after(() => hub?.close());

  it('closes a connection at the header of an oversized packet, before its body is buffered', async () => {
    const sock = net.connect(hub.mqttPort!, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const id = Buffer.from(`big-${tag}`);
    // CONNECT (MQTT 3.1.1, clean session, keepalive 60), then a PUBLISH declaring 200 MB, then 64 KB of it.
    const connectBody = Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, id.length]), id]);
    sock.write(Buffer.concat([Buffer.from([0x10, connectBody.length]), connectBody]));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.on('error', () => undefined);
    sock.write(Buffer.from([0x30, 0x80, 0x80, 0xe4, 0x5f])); // Remaining Length 200,015,872
    sock.write(Buffer.alloc(64 * 1024, 0x7b));
    await closed;
    expect(hub.logs.some((l) => l.event === 'mqtt_packet_too_large')).to.equal(true);
  });

  it('retains only status heartbeats of bounded size; plain topics still pass unretained', async () => {
    const statusTopic = `store/${STORE_A}/camera/CAM_1/status`;
    const status = JSON.stringify({ state: 'online', ts: new Date().toISOString() });
    const tries: [string, string, boolean][] = [
      [statusTopic, status, true],
      [`free/${tag}`, 'x', false],
      [`free/${tag}`, 'x', true],
      [statusTopic, JSON.stringify({ state: 'online', ts: 'now', pad: 'x'.repeat(50_000) }), true],
    ];
    const results: boolean[] = [];
    for (const [topic, payload, retain] of tries) {
      const { client } = await connect(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: `r-${randomBytes(4).toString('hex')}` });
      results.push(await accepted(client!, topic, payload, retain));
      client!.end(true);
    }
    expect(results).to.deep.equal([true, true, false, false]);
  });

  it('does not store an oversized status payload (even unretained)', async () => {
    const { client } = await connect(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: `s-${tag}` });
    const big = JSON.stringify({ state: 'online', ts: new Date().toISOString(), pad: 'x'.repeat(20_000) });
    expect(await accepted(client!, `store/${STORE_B}/camera/CAM_9/status`, big, false)).to.equal(true); // acked, not kept
    await client!.endAsync();
    const health = await (await fetch(`${hub.url}/health`)).json();
    expect(JSON.stringify(health)).to.not.include('CAM_9');
    expect(hub.logs.some((l) => l.event === 'mqtt_message_invalid' && String(l.reason).includes('status payload'))).to.equal(true);
  });
});

describe('embedded broker logins: client-id takeover and failed-login throttle @integration', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let dir: string;
  const url = () => `mqtt://127.0.0.1:${hub.mqttPort}`;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bl-'));
    const users = {
      a: { password_hash: await hashPassword('pw-a'), store_id: STORE_A, camera_ids: ['CAM_1'] },
      b: { password_hash: await hashPassword('pw-b'), store_id: STORE_B, camera_ids: ['*'] },
    };
    writeFileSync(join(dir, 'users.json'), JSON.stringify(users));
    hub = await startTestHub({ MQTT_USERS_FILE: join(dir, 'users.json') });
  });
  after(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses another store\'s login on an agent client id, and any takeover by another login', async () => {
    const agentId = `agent-${STORE_A}-CAM_1`;
    const a = await connect(url(), { clientId: agentId, username: 'a', password: 'pw-a' });
    expect(a.code).to.equal(0);
    const aClosed = new Promise<boolean>((r) => a.client!.once('close', () => r(true)));
    const hijack = await connect(url(), { clientId: agentId, username: 'b', password: 'pw-b' });
    expect(hijack.code).to.equal(2); // identifier rejected
    // A's agent is still connected and can publish.
    expect(await accepted(a.client!, `store/${STORE_A}/camera/CAM_1/events`, '[]', false)).to.equal(true);
    // Any other id in use: only the same login may take it over.
    const shared = `tool-${tag}`;
    const first = await connect(url(), { clientId: shared, username: 'a', password: 'pw-a' });
    expect((await connect(url(), { clientId: shared, username: 'b', password: 'pw-b' })).code).to.equal(2);
    const again = await connect(url(), { clientId: shared, username: 'a', password: 'pw-a' });
    expect(again.code).to.equal(0);
    for (const c of [a.client, first.client, again.client]) c?.end(true);
    expect(await Promise.race([aClosed, Promise.resolve(false)])).to.equal(false);
  });

  it('refuses further logins once a user name has failed ten times, right password or not', async () => {
    const codes: (number | null)[] = [];
    for (let i = 0; i < 10; i++) codes.push((await connect(url(), { clientId: `f-${i}-${tag}`, username: 'b', password: 'wrong' })).code);
    expect(codes.every((c) => c === 4)).to.equal(true);
    expect((await connect(url(), { clientId: `f-x-${tag}`, username: 'b', password: 'pw-b' })).code).to.equal(5);
  });
});
