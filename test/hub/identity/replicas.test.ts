import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import mqtt from 'mqtt';
import { cameraTopic } from '../../../common/topics.js';
import { runTs, type Proc } from '../../../scripts/lib/child.js';
import { crowd } from '../../fixtures/signatures.js';
import { PG_URL, dropPgSchema, startTestHub } from '../../helpers/hub.js';

/** The real Mosquitto 2 of this machine; override with TEST_MQTT_URL. */
const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The crowd's transits are about a minute; a store silent for 2 s has its tracks decided.
const IDENTITY_ENV = { IDENTITY_TRANSIT_MEDIAN_MIN: '1', IDENTITY_IDLE_FLUSH_S: '2' };
type LinkRow = { visitor_id: string; entrance_visitor_id: string };
const sorted = (rows: LinkRow[]) => rows.map((r) => `${r.visitor_id}→${r.entrance_visitor_id}`).sort();

describe('store-level identity with two hub replicas on PostgreSQL (shared subscriptions) @integration', function () {
  this.timeout(180_000);
  const tag = randomBytes(4).toString('hex');
  const schema = `t_ident_${tag}`;
  const clientIds = [`hub-ident-${tag}-1`, `hub-ident-${tag}-2`];
  const store = `STORE_IDREP_${tag}`;
  const procs: Proc[] = [];

  before(async function () {
    const reachable = await mqtt.connectAsync(BROKER, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 }).then((c) => (c.end(true), true), () => false);
    const k = knexFactory({ client: 'pg', connection: PG_URL });
    const pgUp = await k.raw('select 1').then(() => true, () => false);
    await k.destroy();
    if (!reachable || !pgUp) {
      console.log(`skipping: needs an MQTT broker at ${BROKER} (TEST_MQTT_URL) and PostgreSQL at ${PG_URL} (TEST_PG_URL)`);
      this.skip();
    }
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) (p.child.kill('SIGKILL'), await p.exited);
    for (const id of clientIds) await mqtt.connectAsync(BROKER, { clientId: id, clean: true, protocolVersion: 4, reconnectPeriod: 0 }).then((c) => c.endAsync(), () => undefined);
    await dropPgSchema(schema).catch(() => undefined);
  });

  it('the links two replicas write are the links one hub writes, each signature stored once', async () => {
    const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000; // minute-aligned, an hour ago
    const { door, till } = crowd(store, t0, 40, 7);

    // One hub (in-process, SQLite): the reference answer.
    const one = await startTestHub(IDENTITY_ENV);
    let reference: string[];
    try {
      await one.hub.identity.ingest(door, { storeId: store, cameraId: 'CAM_DOOR' });
      await one.hub.identity.ingest(till, { storeId: store, cameraId: 'CAM_TILL' });
      await one.hub.identity.resolveStore(store, { flushAll: true });
      reference = sorted(await one.hub.db.knex('visitor_links').where({ store_id: store }).select('visitor_id', 'entrance_visitor_id'));
    } finally {
      await one.close();
    }
    expect(reference.length, 'the crowd must give some links for the comparison to mean anything').to.be.greaterThan(3);
    expect(reference.length).to.be.lessThan(till.length);

    for (const id of clientIds) {
      const p = runTs('hub/main.ts', [], {
        HUB_HTTP_PORT: '0', HUB_HOST: '127.0.0.1', DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema,
        MQTT_URL: BROKER, MQTT_CLIENT_ID: id, MQTT_SHARED_GROUP: `hub_${tag}`, ...IDENTITY_ENV,
      });
      procs.push(p);
      await p.waitFor((l) => l.event === 'mqtt_consumer_connected');
      await p.waitFor((l) => l.event === 'hub_listening');
    }
    // Two agents, small messages, so the shared subscription spreads them over both replicas.
    for (const [camera, list] of [['CAM_DOOR', door], ['CAM_TILL', till]] as const) {
      const c = await mqtt.connectAsync(BROKER, { protocolVersion: 4, clientId: `agent-${store}-${camera}` });
      for (let i = 0; i < list.length; i += 2) await c.publishAsync(cameraTopic(store, camera, 'signatures'), JSON.stringify(list.slice(i, i + 2)), { qos: 1 });
      await c.endAsync();
    }

    const k = knexFactory({ client: 'pg', connection: PG_URL, searchPath: [schema] });
    try {
      let stored = 0;
      let undecided = Infinity;
      for (let i = 0; i < 600 && (stored < door.length + till.length || undecided > 0); i++) {
        await sleep(100);
        stored = Number((await k('visitor_signatures').where({ store_id: store }).count({ n: '*' }))[0]!.n);
        undecided = Number((await k('visitor_signatures').where({ store_id: store, entrance: false }).where((b) => b.whereNull('outcome').orWhere('outcome', 'ambiguous')).count({ n: '*' }))[0]!.n);
      }
      expect(stored).to.equal(door.length + till.length);
      expect(undecided).to.equal(0);
      await sleep(3000); // a second round (the other replica's sweep) would show up here
      expect(sorted(await k('visitor_links').where({ store_id: store }).select('visitor_id', 'entrance_visitor_id'))).to.deep.equal(reference);
    } finally {
      await k.destroy();
    }
    const shares: number[] = [];
    for (const p of procs) {
      p.child.kill('SIGTERM');
      shares.push((await p.waitFor((l) => l.event === 'identity_closed')).signatures_stored as number);
    }
    console.log(`      signatures stored per replica: ${shares.join(' + ')}; links: ${reference.length} of ${till.length} till tracks`);
    expect(shares.every((n) => n > 0)).to.equal(true);
    expect(shares.reduce((a, b) => a + b, 0)).to.equal(door.length + till.length);
  });
});
