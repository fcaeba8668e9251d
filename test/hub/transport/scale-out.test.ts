import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import mqtt from 'mqtt';
import { storeEventSchema } from '../../../common/event.js';
import { silentLogger } from '../../../common/logger.js';
import { createPublisher } from '../../../agent/publisher/publisher.js';
import { runTs, type Proc } from '../../../scripts/lib/child.js';
import { makeEvent } from '../../fixtures/events.js';
import { PG_URL, dropPgSchema } from '../../helpers/hub.js';

/** The real Mosquitto 2 of this machine; override with TEST_MQTT_URL. */
const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scale-out: two hubs share one Mosquitto stream into one PostgreSQL @integration', function () {
  this.timeout(180_000);
  const tag = randomBytes(4).toString('hex');
  const schema = `t_mqtt_${tag}`;
  const clientIds = [`hub-test-${tag}-1`, `hub-test-${tag}-2`];
  const store = `STORE_SCALE_${tag}`;
  const procs: Proc[] = [];
  let dir: string;

  before(async function () {
    const reachable = await mqtt.connectAsync(BROKER, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 }).then((c) => (c.end(true), true), () => false);
    if (!reachable) {
      console.log(`skipping: no MQTT broker at ${BROKER} (set TEST_MQTT_URL)`);
      this.skip();
    }
    const k = knexFactory({ client: 'pg', connection: PG_URL });
    const pgUp = await k.raw('select 1').then(() => true, () => false);
    await k.destroy();
    if (!pgUp) {
      console.log(`skipping: no PostgreSQL at ${PG_URL} (set TEST_PG_URL)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'scale-'));
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) (p.child.kill('SIGKILL'), await p.exited);
    // Remove the replicas' persistent sessions from the shared broker (clean session = discard it).
    for (const id of clientIds) await mqtt.connectAsync(BROKER, { clientId: id, clean: true, protocolVersion: 4, reconnectPeriod: 0 }).then((c) => c.endAsync(), () => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await dropPgSchema(schema).catch(() => undefined);
  });

  it('20,000 events published → exactly 20,000 rows, each stored once, both hubs having taken part', async () => {
    for (const id of clientIds) {
      // One at a time: the second replica finds the schema migrated.
      const p = runTs('hub/main.ts', [], {
        HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema,
        MQTT_URL: BROKER, MQTT_CLIENT_ID: id, MQTT_SHARED_GROUP: `hub_${tag}`,
      });
      procs.push(p);
      await p.waitFor((l) => l.event === 'mqtt_consumer_connected');
      await p.waitFor((l) => l.event === 'hub_listening');
    }
    const publishers = ['CAM_1', 'CAM_2', 'CAM_3', 'CAM_4'].map((cam) => {
      const p = createPublisher({ mqttUrl: BROKER, storeId: store, cameraId: `${cam}_${tag}`, spoolDir: join(dir, cam), batchMs: 50, logger: silentLogger() });
      p.publish(Array.from({ length: 5_000 }, (_, i) =>
        storeEventSchema.parse(makeEvent({ store_id: store, camera_id: `${cam}_${tag}`, metadata: { queue_depth: null, sku_zone: null, session_seq: i + 1 } }))));
      return p;
    });
    await Promise.all(publishers.map((p) => p.drain()));
    for (const p of publishers) await p.close();

    const k = knexFactory({ client: 'pg', connection: PG_URL, searchPath: [schema] });
    let rows = 0;
    try {
      for (let i = 0; i < 600 && rows < 20_000; i++) {
        rows = Number((await k('events').where({ store_id: store }).count({ n: '*' }))[0]!.n);
        if (rows < 20_000) await sleep(100);
      }
      await sleep(500); // a late duplicate insert would show up here
      rows = Number((await k('events').where({ store_id: store }).count({ n: '*' }))[0]!.n);
      const distinct = Number((await k('events').where({ store_id: store }).countDistinct({ n: 'event_id' }))[0]!.n);
      expect(rows).to.equal(20_000);
      expect(distinct).to.equal(20_000);
    } finally {
      await k.destroy();
    }
    const shares: number[] = [];
    for (const p of procs) {
      p.child.kill('SIGTERM');
      shares.push((await p.waitFor((l) => l.event === 'mqtt_transport_closed')).events_inserted as number);
    }
    console.log(`      events stored per hub: ${shares.join(' + ')}`);
    expect(shares.every((n) => n > 0)).to.equal(true);
    expect(shares.reduce((a, b) => a + b, 0)).to.equal(20_000);
  });
});
